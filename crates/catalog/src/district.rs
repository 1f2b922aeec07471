//! Seoul's 25 districts (자치구), the unit agencies and consortia are organised by. Names
//! and codes from KOSTAT's 2013 boundaries (shared/data/seoul).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct District {
    pub code: &'static str,
    pub name: &'static str,
    pub name_eng: &'static str,
}

pub const SEOUL: [District; 25] = [
    District {
        code: "11010",
        name: "종로구",
        name_eng: "Jongno-gu",
    },
    District {
        code: "11020",
        name: "중구",
        name_eng: "Jung-gu",
    },
    District {
        code: "11030",
        name: "용산구",
        name_eng: "Yongsan-gu",
    },
    District {
        code: "11040",
        name: "성동구",
        name_eng: "Seongdong-gu",
    },
    District {
        code: "11050",
        name: "광진구",
        name_eng: "Gwangjin-gu",
    },
    District {
        code: "11060",
        name: "동대문구",
        name_eng: "Dongdaemun-gu",
    },
    District {
        code: "11070",
        name: "중랑구",
        name_eng: "Jungnang-gu",
    },
    District {
        code: "11080",
        name: "성북구",
        name_eng: "Seongbuk-gu",
    },
    District {
        code: "11090",
        name: "강북구",
        name_eng: "Gangbuk-gu",
    },
    District {
        code: "11100",
        name: "도봉구",
        name_eng: "Dobong-gu",
    },
    District {
        code: "11110",
        name: "노원구",
        name_eng: "Nowon-gu",
    },
    District {
        code: "11120",
        name: "은평구",
        name_eng: "Eunpyeong-gu",
    },
    District {
        code: "11130",
        name: "서대문구",
        name_eng: "Seodaemun-gu",
    },
    District {
        code: "11140",
        name: "마포구",
        name_eng: "Mapo-gu",
    },
    District {
        code: "11150",
        name: "양천구",
        name_eng: "Yangcheon-gu",
    },
    District {
        code: "11160",
        name: "강서구",
        name_eng: "Gangseo-gu",
    },
    District {
        code: "11170",
        name: "구로구",
        name_eng: "Guro-gu",
    },
    District {
        code: "11180",
        name: "금천구",
        name_eng: "Geumcheon-gu",
    },
    District {
        code: "11190",
        name: "영등포구",
        name_eng: "Yeongdeungpo-gu",
    },
    District {
        code: "11200",
        name: "동작구",
        name_eng: "Dongjak-gu",
    },
    District {
        code: "11210",
        name: "관악구",
        name_eng: "Gwanak-gu",
    },
    District {
        code: "11220",
        name: "서초구",
        name_eng: "Seocho-gu",
    },
    District {
        code: "11230",
        name: "강남구",
        name_eng: "Gangnam-gu",
    },
    District {
        code: "11240",
        name: "송파구",
        name_eng: "Songpa-gu",
    },
    District {
        code: "11250",
        name: "강동구",
        name_eng: "Gangdong-gu",
    },
];

/// The district named by its Korean name (마포구), English name (Mapo-gu, any case) or code.
pub fn resolve(input: &str) -> Option<&'static District> {
    let input = input.trim();
    SEOUL
        .iter()
        .find(|d| d.name == input || d.code == input || d.name_eng.eq_ignore_ascii_case(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn districts_resolve_by_any_of_their_names() {
        assert_eq!(resolve("마포구").unwrap().code, "11140");
        assert_eq!(resolve("mapo-gu").unwrap().name, "마포구");
        assert_eq!(resolve("11140").unwrap().name_eng, "Mapo-gu");
        assert!(resolve("해운대구").is_none());
    }
}
