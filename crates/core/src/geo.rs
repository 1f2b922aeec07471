//! Places on the WGS84 globe.

use geo::{Distance, Haversine};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

impl Coordinates {
    /// Checks the ranges, naming `field.lat` / `field.lon` on failure.
    pub fn validate(&self, field: &str, errors: &mut ValidationErrors) {
        if !(self.lat.is_finite() && (-90.0..=90.0).contains(&self.lat)) {
            errors.add(
                format!("{field}.lat"),
                "must be a latitude between -90 and 90",
            );
        }
        if !(self.lon.is_finite() && (-180.0..=180.0).contains(&self.lon)) {
            errors.add(
                format!("{field}.lon"),
                "must be a longitude between -180 and 180",
            );
        }
    }

    /// Great-circle distance in metres.
    pub fn distance_m(&self, other: &Coordinates) -> f64 {
        Haversine.distance(
            geo::Point::new(self.lon, self.lat),
            geo::Point::new(other.lon, other.lat),
        )
    }

    /// A box that holds every point within `radius_m`: cheap to test in SQL with plain
    /// indexed comparisons before the exact distance is computed.
    pub fn bounding_box(&self, radius_m: f64) -> BoundingBox {
        const METRES_PER_DEGREE_LAT: f64 = 111_320.0;
        let dlat = radius_m / METRES_PER_DEGREE_LAT;
        let cos = self.lat.to_radians().cos().abs().max(0.01);
        let dlon = radius_m / (METRES_PER_DEGREE_LAT * cos);
        BoundingBox {
            min_lat: self.lat - dlat,
            max_lat: self.lat + dlat,
            min_lon: self.lon - dlon,
            max_lon: self.lon + dlon,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const CITY_HALL: Coordinates = Coordinates {
        lat: 37.5663,
        lon: 126.9779,
    };
    const GANGNAM_STATION: Coordinates = Coordinates {
        lat: 37.4979,
        lon: 127.0276,
    };

    #[test]
    fn distances_between_seoul_landmarks() {
        let d = CITY_HALL.distance_m(&GANGNAM_STATION);
        assert!((8_500.0..9_000.0).contains(&d), "{d}");
        assert_eq!(CITY_HALL.distance_m(&CITY_HALL), 0.0);
    }

    #[test]
    fn the_box_holds_the_circle() {
        let b = CITY_HALL.bounding_box(1_000.0);
        for (dlat, dlon) in [(0.0089, 0.0), (-0.0089, 0.0), (0.0, 0.0112), (0.0, -0.0112)] {
            let p = Coordinates {
                lat: CITY_HALL.lat + dlat,
                lon: CITY_HALL.lon + dlon,
            };
            assert!(CITY_HALL.distance_m(&p) < 1_000.0);
            assert!(
                p.lat >= b.min_lat
                    && p.lat <= b.max_lat
                    && p.lon >= b.min_lon
                    && p.lon <= b.max_lon
            );
        }
    }

    #[test]
    fn ranges_are_checked_by_field() {
        let mut errors = ValidationErrors::new();
        Coordinates {
            lat: 91.0,
            lon: f64::NAN,
        }
        .validate("location", &mut errors);
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["location.lat", "location.lon"]);
    }
}
