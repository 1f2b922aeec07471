//! What a slot can carry, from the fleet that rides it.
//!
//! Each courier on shift during a wave brings the stops it can make in the overlap of its
//! shift with the wave (the network's stops-per-hour figure; a delivery is two stops, a
//! pick-up and a drop-off) and its vehicle's kg and litres. The network keeps a margin back
//! for the solver's detours and late shops. A network may instead set how many deliveries a
//! slot takes (`slot_capacity`), an explicit override of the stops figure; weight and volume
//! still come from the couriers on shift, when there are any.
//!
//! A booking carries its basket's size ([`Load`]), so checkout refuses what the fleet cannot
//! carry instead of the plan leaving it behind.

use serde::Serialize;

use crate::courier::Courier;
use crate::network::{Network, Wave, minutes};

/// Deliveries (one per shop of a basket), grams and millilitres.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Load {
    pub tasks: i64,
    pub grams: i64,
    pub millilitres: i64,
}

impl Load {
    /// What nothing limits.
    pub const UNLIMITED: Load = Load {
        tasks: i64::MAX,
        grams: i64::MAX,
        millilitres: i64::MAX,
    };

    pub fn fits_within(&self, room: &Load) -> bool {
        self.tasks <= room.tasks && self.grams <= room.grams && self.millilitres <= room.millilitres
    }

    pub fn plus(&self, other: &Load) -> Load {
        Load {
            tasks: self.tasks.saturating_add(other.tasks),
            grams: self.grams.saturating_add(other.grams),
            millilitres: self.millilitres.saturating_add(other.millilitres),
        }
    }

    /// The larger of each figure.
    pub fn most(&self, other: &Load) -> Load {
        Load {
            tasks: self.tasks.max(other.tasks),
            grams: self.grams.max(other.grams),
            millilitres: self.millilitres.max(other.millilitres),
        }
    }

    pub fn saturating_sub(&self, other: &Load) -> Load {
        Load {
            tasks: self.tasks.saturating_sub(other.tasks).max(0),
            grams: self.grams.saturating_sub(other.grams).max(0),
            millilitres: self.millilitres.saturating_sub(other.millilitres).max(0),
        }
    }
}

/// Minutes of `[a, b)` inside `[c, d)`, all minutes after midnight.
fn overlap(a: u32, b: u32, c: u32, d: u32) -> u32 {
    b.min(d).saturating_sub(a.max(c))
}

fn less_margin(value: i64, margin_pct: u32) -> i64 {
    let kept = 100i64 - i64::from(margin_pct.min(100));
    if value == i64::MAX {
        value
    } else {
        value * kept / 100
    }
}

/// What `wave` of `network` can carry with `couriers`.
pub fn of_wave(network: &Network, wave: &Wave, couriers: &[Courier]) -> Load {
    let (Some(start), Some(end)) = (minutes(&wave.spec.start), minutes(&wave.spec.end)) else {
        return Load::default();
    };
    let mut stops = 0.0;
    let mut grams = 0i64;
    let mut millilitres = 0i64;
    let mut on_shift = 0;
    for c in couriers {
        let (Some(from), Some(to)) = (minutes(&c.shift.start), minutes(&c.shift.end)) else {
            continue;
        };
        let riding = overlap(start, end, from, to);
        if riding == 0 {
            continue;
        }
        on_shift += 1;
        stops += network.stops_per_hour * f64::from(riding) / 60.0;
        grams += (c.capacity.kg * 1000.0).round() as i64;
        millilitres += (c.capacity.liters * 1000.0).round() as i64;
    }
    let margin = network.capacity_margin_pct;
    let tasks = match network.slot_capacity {
        Some(explicit) => i64::from(explicit),
        None => less_margin((stops / 2.0).floor() as i64, margin),
    };
    if on_shift == 0 && network.slot_capacity.is_some() {
        // Nobody on shift yet: the explicit figure is all that is known.
        return Load {
            tasks,
            ..Load::UNLIMITED
        };
    }
    Load {
        tasks,
        grams: less_margin(grams, margin),
        millilitres: less_margin(millilitres, margin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::courier::{Capacity, Shift, VehicleKind};
    use crate::network::WaveSpec;
    use golmok_core::Coordinates;

    fn network(slot_capacity: Option<u32>) -> Network {
        Network {
            id: "net".into(),
            name: "n".into(),
            hub: Coordinates {
                lat: 37.5,
                lon: 126.9,
            },
            area: serde_json::Value::Null,
            waves: Vec::new(),
            slot_capacity,
            stops_per_hour: 12.0,
            capacity_margin_pct: 10,
            move_without_consent: false,
            photo_proof_allowed: true,
            delivery_fee_krw: 0,
            free_delivery_over_krw: 0,
            created_at: chrono::Utc::now(),
        }
    }

    fn lunch() -> Wave {
        Wave {
            id: "w".into(),
            spec: WaveSpec {
                name: "점심".into(),
                start: "11:00".into(),
                end: "13:00".into(),
                cutoff: "10:00".into(),
            },
            retired: false,
        }
    }

    fn courier(start: &str, end: &str, kg: f64) -> Courier {
        Courier {
            id: "c".into(),
            account_id: "a".into(),
            network_id: "net".into(),
            vehicle: VehicleKind::CargoBike,
            capacity: Capacity {
                kg,
                liters: kg * 1.5,
            },
            shift: Shift {
                start: start.into(),
                end: end.into(),
            },
            created_at: chrono::Utc::now(),
            suspended: false,
        }
    }

    #[test]
    fn couriers_on_shift_bring_their_stops_and_their_load_less_the_margin() {
        // Two hours at 12 stops an hour: 24 stops, 12 deliveries; half an hour: 3 more.
        let fleet = [
            courier("09:00", "18:00", 40.0),
            courier("12:30", "20:00", 20.0),
        ];
        let load = of_wave(&network(None), &lunch(), &fleet);
        assert_eq!(load.tasks, (15 * 90) / 100);
        assert_eq!(load.grams, 60_000 * 90 / 100);
        assert_eq!(load.millilitres, 90_000 * 90 / 100);
    }

    #[test]
    fn a_courier_off_shift_during_the_wave_brings_nothing() {
        let fleet = [courier("14:00", "20:00", 40.0)];
        assert_eq!(of_wave(&network(None), &lunch(), &fleet), Load::default());
    }

    #[test]
    fn an_explicit_capacity_overrides_the_stops_figure_but_not_the_fleets_load() {
        let fleet = [courier("09:00", "18:00", 40.0)];
        let load = of_wave(&network(Some(30)), &lunch(), &fleet);
        assert_eq!((load.tasks, load.grams), (30, 36_000));
        let nobody = of_wave(&network(Some(30)), &lunch(), &[]);
        assert_eq!((nobody.tasks, nobody.grams), (30, i64::MAX));
    }

    #[test]
    fn loads_compare_on_every_measure() {
        let room = Load {
            tasks: 3,
            grams: 5_000,
            millilitres: 5_000,
        };
        assert!(
            Load {
                tasks: 3,
                grams: 5_000,
                millilitres: 1
            }
            .fits_within(&room)
        );
        assert!(
            !Load {
                tasks: 1,
                grams: 5_001,
                millilitres: 1
            }
            .fits_within(&room)
        );
        assert_eq!(
            room.saturating_sub(&Load {
                tasks: 5,
                grams: 1,
                millilitres: 0
            })
            .tasks,
            0
        );
    }
}
