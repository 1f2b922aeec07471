//! Service areas drawn from Seoul's real boundaries: a whole district (자치구), or some of its
//! neighbourhoods (법정동) joined into one shape, as an admin sets up a network without
//! writing GeoJSON by hand. The boundaries are KOSTAT's 25 districts (2013) and JUSO's 467
//! neighbourhoods (2015), simplified, embedded from `data/seoul` (see its README).
//!
//! Owns only the reading of those files and the joining of neighbourhoods; a network keeps
//! its area as GeoJSON whatever drew it ([`crate::network`]).

use std::sync::OnceLock;

use geo::{Area, BooleanOps, Coord, InteriorPoint, LineString, MultiPolygon, Polygon};
use golmok_core::{Coordinates, ValidationErrors};
use serde_json::{Value, json};

use crate::Result;

const DISTRICTS: &str = include_str!("../data/seoul/seoul_districts.geojson");
const NEIGHBOURHOODS: &str = include_str!("../data/seoul/seoul_neighborhoods.geojson");

/// The two files number districts differently: KOSTAT `11010`…`11250`, JUSO's
/// neighbourhood codes open with the administrative `11110`…`11740`. Both list the districts
/// in the same order (종로구 first, 강동구 last), so the n-th code of one is the n-th of the
/// other; a unit test checks each neighbourhood lies in the district this gives it.
const ADMINISTRATIVE_CODES: [&str; 25] = [
    "11110", "11140", "11170", "11200", "11215", "11230", "11260", "11290", "11305", "11320",
    "11350", "11380", "11410", "11440", "11470", "11500", "11530", "11545", "11560", "11590",
    "11620", "11650", "11680", "11710", "11740",
];

/// Pieces of a joined area smaller than this share of the whole are slivers between
/// simplified neighbours, not a second place.
const SLIVER: f64 = 0.01;

pub struct District {
    pub name: String,
    pub name_eng: String,
    shape: MultiPolygon<f64>,
}

pub struct Neighbourhood {
    /// JUSO's code, e.g. `11440123`.
    pub code: String,
    pub name: String,
    pub name_eng: String,
    /// The district it belongs to (its Korean name).
    pub district: String,
    shape: MultiPolygon<f64>,
}

struct Boundaries {
    districts: Vec<District>,
    neighbourhoods: Vec<Neighbourhood>,
}

fn boundaries() -> &'static Boundaries {
    static READ: OnceLock<Boundaries> = OnceLock::new();
    READ.get_or_init(|| {
        let mut districts: Vec<(String, District)> = features(DISTRICTS)
            .into_iter()
            .map(|(props, shape)| {
                let text = |k: &str| props[k].as_str().unwrap_or_default().to_owned();
                (
                    text("code"),
                    District {
                        name: text("name"),
                        name_eng: text("name_eng"),
                        shape,
                    },
                )
            })
            .collect();
        districts.sort_by(|a, b| a.0.cmp(&b.0));
        let mut neighbourhoods: Vec<Neighbourhood> = features(NEIGHBOURHOODS)
            .into_iter()
            .filter_map(|(props, shape)| {
                let code = props["EMD_CD"].as_str()?.to_owned();
                let n = ADMINISTRATIVE_CODES
                    .iter()
                    .position(|c| code.starts_with(c))?;
                Some(Neighbourhood {
                    name: props["EMD_KOR_NM"].as_str()?.to_owned(),
                    name_eng: props["EMD_ENG_NM"].as_str().unwrap_or_default().to_owned(),
                    district: districts.get(n)?.1.name.clone(),
                    code,
                    shape,
                })
            })
            .collect();
        neighbourhoods.sort_by(|a, b| a.name.cmp(&b.name));
        Boundaries {
            districts: districts.into_iter().map(|(_, d)| d).collect(),
            neighbourhoods,
        }
    })
}

/// The features of an embedded FeatureCollection with their shapes; a feature this cannot
/// read is left out (the files are fixed, and a test reads every one).
fn features(text: &str) -> Vec<(Value, MultiPolygon<f64>)> {
    let Ok(collection) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    collection["features"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| Some((f["properties"].clone(), shape(&f["geometry"])?)))
                .collect()
        })
        .unwrap_or_default()
}

fn shape(geometry: &Value) -> Option<MultiPolygon<f64>> {
    let ring = |r: &Value| -> Option<LineString<f64>> {
        r.as_array()?
            .iter()
            .map(|p| {
                Some(Coord {
                    x: p.get(0)?.as_f64()?,
                    y: p.get(1)?.as_f64()?,
                })
            })
            .collect::<Option<Vec<_>>>()
            .map(LineString::from)
    };
    let polygon = |rings: &Value| -> Option<Polygon<f64>> {
        let rings = rings.as_array()?;
        let holes = rings[1..].iter().map(ring).collect::<Option<Vec<_>>>()?;
        Some(Polygon::new(ring(rings.first()?)?, holes))
    };
    let coordinates = &geometry["coordinates"];
    match geometry["type"].as_str()? {
        "Polygon" => Some(MultiPolygon(vec![polygon(coordinates)?])),
        "MultiPolygon" => coordinates
            .as_array()?
            .iter()
            .map(polygon)
            .collect::<Option<Vec<_>>>()
            .map(MultiPolygon),
        _ => None,
    }
}

/// Seoul's districts in KOSTAT's order.
pub fn districts() -> &'static [District] {
    &boundaries().districts
}

/// A district's neighbourhoods by name.
pub fn neighbourhoods_in(district: &str) -> impl Iterator<Item = &'static Neighbourhood> {
    boundaries()
        .neighbourhoods
        .iter()
        .filter(move |n| n.district == district)
}

/// The districts a network's service area (GeoJSON) reaches, in KOSTAT's order: those holding
/// at least a fiftieth of the area, so a border traced a little differently by two sources
/// does not count as reaching over it. None for an area that is no polygon.
pub fn districts_reached(area: &Value) -> Vec<&'static str> {
    let Some(area) = shape(area) else {
        return Vec::new();
    };
    let whole = area.unsigned_area();
    if whole <= 0.0 {
        return Vec::new();
    }
    districts()
        .iter()
        .filter(|d| area.intersection(&d.shape).unsigned_area() >= whole * REACH)
        .map(|d| d.name.as_str())
        .collect()
}

/// The least share of an area inside a district for it to reach that district.
const REACH: f64 = 0.02;

/// An area drawn from the boundaries: GeoJSON for a network, and a point inside it (where a
/// hub goes when nobody placed one).
#[derive(Debug, Clone)]
pub struct DrawnArea {
    pub geojson: Value,
    pub inside: Coordinates,
}

/// `district` whole when `neighbourhoods` (codes) is empty; otherwise those neighbourhoods
/// of it joined, which must touch: a network's area is one shape. Refused on `district` or
/// `neighbourhoods`.
pub fn area_of(district: &str, neighbourhoods: &[String]) -> Result<DrawnArea> {
    let Some(whole) = districts().iter().find(|d| d.name == district) else {
        return Err(
            ValidationErrors::single("district", "must be one of Seoul's 25 districts").into(),
        );
    };
    if neighbourhoods.is_empty() {
        return drawn(&whole.shape);
    }
    let mut picked = Vec::new();
    for code in neighbourhoods {
        match neighbourhoods_in(district).find(|n| &n.code == code) {
            Some(n) => picked.push(&n.shape),
            None => {
                return Err(ValidationErrors::single(
                    "neighbourhoods",
                    "must be neighbourhoods of the district",
                )
                .into());
            }
        }
    }
    let mut joined = picked[0].clone();
    for shape in &picked[1..] {
        joined = joined.union(*shape);
    }
    drawn(&joined)
}

fn drawn(shape: &MultiPolygon<f64>) -> Result<DrawnArea> {
    let total: f64 = shape.0.iter().map(|p| p.unsigned_area()).sum();
    let pieces: Vec<&Polygon<f64>> = shape
        .0
        .iter()
        .filter(|p| p.unsigned_area() >= SLIVER * total)
        .collect();
    let [piece] = pieces.as_slice() else {
        return Err(ValidationErrors::single(
            "neighbourhoods",
            "must touch one another: a network's area is one shape",
        )
        .into());
    };
    // Holes left between simplified neighbours are slivers too; a service area has none.
    let outline = Polygon::new(piece.exterior().clone(), Vec::new());
    let inside = outline
        .interior_point()
        .map(|p| Coordinates {
            lat: round(p.y()),
            lon: round(p.x()),
        })
        .ok_or_else(|| golmok_core::DomainError::internal("an area without an inside"))?;
    let ring: Vec<[f64; 2]> = outline
        .exterior()
        .coords()
        .map(|c| [round(c.x), round(c.y)])
        .collect();
    Ok(DrawnArea {
        geojson: json!({"type": "Polygon", "coordinates": [ring]}),
        inside,
    })
}

/// Six decimals of a degree are 10 cm: more only lengthens the GeoJSON.
fn round(degrees: f64) -> f64 {
    (degrees * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use geo::{Contains, Distance, Euclidean, Point};

    use super::*;

    #[test]
    fn every_district_and_neighbourhood_is_read_and_each_neighbourhood_lies_in_its_district() {
        assert_eq!(districts().len(), 25);
        assert_eq!(boundaries().neighbourhoods.len(), 467);
        let mut misplaced = Vec::new();
        for n in &boundaries().neighbourhoods {
            let district = districts().iter().find(|d| d.name == n.district).unwrap();
            let point = n.shape.interior_point().unwrap();
            let off = district
                .shape
                .0
                .iter()
                .map(|p| Euclidean.distance(&point, p))
                .fold(f64::INFINITY, f64::min);
            // The two sources are two years and two simplifications apart: the coarser
            // district line can leave a small neighbourhood on its edge just outside, by a
            // few hundred metres (0.006° of latitude is about 670 m), never further.
            if off > 0.006 {
                misplaced.push(format!("{} ({}) {off}", n.name, n.district));
            }
        }
        assert!(misplaced.is_empty(), "misplaced: {misplaced:?}");
        assert!(neighbourhoods_in("마포구").any(|n| n.name == "망원동"));
        assert!(neighbourhoods_in("서대문구").any(|n| n.name == "연희동"));
    }

    #[test]
    fn an_area_reaches_the_districts_holding_a_real_part_of_it_not_those_it_borders() {
        let mapo = area_of("마포구", &[]).unwrap();
        assert_eq!(districts_reached(&mapo.geojson), ["마포구"]);
        // 신촌 and 연희동 (서대문구) with 망원 (마포구) in one box.
        let across = json!({"type": "Polygon", "coordinates": [[[126.895, 37.550], [126.945, 37.550], [126.945, 37.575], [126.895, 37.575], [126.895, 37.550]]]});
        let reached = districts_reached(&across);
        assert!(
            reached.contains(&"마포구") && reached.contains(&"서대문구"),
            "{reached:?}"
        );
        assert!(!reached.contains(&"강남구"));
        assert!(
            districts_reached(&json!({"type": "Point", "coordinates": [126.9, 37.5]})).is_empty()
        );
    }

    #[test]
    fn a_whole_district_is_its_outline_with_a_point_inside() {
        let area = area_of("마포구", &[]).unwrap();
        let outline = shape(&area.geojson).unwrap();
        let inside = Point::new(area.inside.lon, area.inside.lat);
        assert!(outline.contains(&inside));
        // 망원시장, in Mapo.
        assert!(outline.contains(&Point::new(126.9060, 37.5559)));
    }

    #[test]
    fn neighbours_join_into_one_shape_and_apart_ones_are_refused() {
        let code = |name: &str| {
            neighbourhoods_in("서대문구")
                .find(|n| n.name == name)
                .unwrap()
                .code
                .clone()
        };
        let joined = area_of("서대문구", &[code("연희동"), code("창천동")]).unwrap();
        let outline = shape(&joined.geojson).unwrap();
        assert_eq!(outline.0.len(), 1);
        assert!(outline.0[0].interiors().is_empty());
        let area = outline.unsigned_area();
        let yeonhui = neighbourhoods_in("서대문구")
            .find(|n| n.name == "연희동")
            .unwrap()
            .shape
            .unsigned_area();
        assert!(
            area > yeonhui * 1.05,
            "the second neighbourhood adds to the area"
        );

        let apart = area_of("서대문구", &[code("연희동"), code("천연동")]);
        assert!(
            matches!(apart, Err(golmok_core::DomainError::Invalid(ref v)) if v.0[0].field == "neighbourhoods"),
            "{apart:?}"
        );
        let elsewhere = neighbourhoods_in("마포구").next().unwrap().code.clone();
        assert!(area_of("서대문구", &[elsewhere]).is_err());
        assert!(area_of("고담구", &[]).is_err());
    }
}
