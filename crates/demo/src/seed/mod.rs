//! `golmok seed --demo`: a small, real-looking Golmok to click through on a fresh install.
//!
//! One account per role; the metropolitan agency and thirteen regional agencies over nineteen
//! districts; four consortia in Seoul neighbourhoods (Yeonhui-dong's refill market 채우장,
//! Mangwon market's alley, Seongsu's local makers, and the dog-friendly alley by Seonyudo
//! station in Yeongdeungpo) with 30 merchants of every kind and about 165 listings. Running it
//! twice changes nothing: it stops at data it already finds.

use golmok_accounts::{Account, NewAccount, Registration, Role};
use golmok_catalog::{
    AgencyKind, CampaignKind, Container, ContainerPolicy, MerchantKind, NewAgency, NewCampaign,
    NewConsortium, NewListing, NewMerchant, Unit, agency, campaign, consortium, listing, merchant,
};
use golmok_core::{Cache, Coordinates};
use sea_orm::DatabaseConnection;

mod programme;

/// Regional agencies beyond the two the demo's consortia belong to, with their districts.
const OTHER_REGIONAL_AGENCIES: [(&str, &[&str]); 11] = [
    ("영등포 지역지원기관", &["영등포구"]),
    ("관악·동작 지역지원기관", &["관악구", "동작구"]),
    ("종로·중구 지역지원기관", &["종로구", "중구"]),
    ("용산 지역지원기관", &["용산구"]),
    ("동대문·성북 지역지원기관", &["동대문구", "성북구"]),
    ("강북 지역지원기관", &["강북구"]),
    ("노원 지역지원기관", &["노원구"]),
    ("중랑 지역지원기관", &["중랑구"]),
    ("강서 지역지원기관", &["강서구"]),
    ("구로 지역지원기관", &["구로구"]),
    ("금천 지역지원기관", &["금천구"]),
];

/// The password of every demo account. Demo data is for a laptop, never for production.
pub const DEMO_PASSWORD: &str = "golmok-demo";
const METROPOLITAN_AGENCY: &str = "서울시 골목상권 통합지원센터";

/// [`DEMO_PASSWORD`], hashed once for every demo account.
pub(crate) async fn demo_password() -> anyhow::Result<&'static golmok_accounts::SharedPassword> {
    static SHARED: tokio::sync::OnceCell<golmok_accounts::SharedPassword> =
        tokio::sync::OnceCell::const_new();
    Ok(SHARED
        .get_or_try_init(|| golmok_accounts::SharedPassword::hash(DEMO_PASSWORD))
        .await?)
}

async fn account(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    role: Role,
) -> anyhow::Result<(Account, bool)> {
    let new = NewAccount {
        email: email.to_owned(),
        password: DEMO_PASSWORD.to_owned(),
        name: name.to_owned(),
        role,
    };
    let shared = demo_password().await?;
    match golmok_accounts::register_sharing(db, new, Registration::Privileged, shared).await {
        Ok(account) => Ok((account, true)),
        Err(e) if e.conflict_code() == Some("email_taken") => {
            Ok((golmok_accounts::find_by_email(db, email).await?, false))
        }
        Err(e) => Err(e.into()),
    }
}

struct Shop {
    name: &'static str,
    kind: MerchantKind,
    lat: f64,
    lon: f64,
    address: &'static str,
    goods: &'static [Good],
}

/// title, category, price in won, unit, unit quantity, refill
type Good = (&'static str, &'static str, i64, Unit, i64, bool);

use MerchantKind::*;
use Unit::{Gram, Ml, Piece};

const YEONHUI: [Shop; 8] = [
    Shop {
        name: "연희 채우장 리필스테이션",
        kind: Cooperative,
        lat: 37.5664,
        lon: 126.9306,
        address: "서울 서대문구 연희로 11",
        goods: &[
            ("주방세제 리필", "세제", 800, Ml, 100, true),
            ("세탁세제 리필", "세제", 700, Ml, 100, true),
            ("샴푸 리필", "샴푸", 1_500, Ml, 100, true),
            ("바디워시 리필", "바디", 1_200, Ml, 100, true),
            ("섬유유연제 리필", "세제", 600, Ml, 100, true),
            ("천연 수세미", "생활", 2_500, Piece, 1, false),
            ("대나무 칫솔", "생활", 3_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "연희 곡물가게",
        kind: SmallBusiness,
        lat: 37.5671,
        lon: 126.9289,
        address: "서울 서대문구 연희맛로 5",
        goods: &[
            ("유기농 현미", "곡물", 900, Gram, 100, true),
            ("찹쌀", "곡물", 800, Gram, 100, true),
            ("귀리", "곡물", 1_100, Gram, 100, true),
            ("서리태", "곡물", 1_600, Gram, 100, true),
            ("병아리콩", "곡물", 1_300, Gram, 100, true),
            ("국산 참깨", "곡물", 3_200, Gram, 100, true),
        ],
    },
    Shop {
        name: "연남 커피로스터스",
        kind: SmallBusiness,
        lat: 37.5652,
        lon: 126.9262,
        address: "서울 서대문구 연희로 27",
        goods: &[
            ("에티오피아 원두", "커피", 4_500, Gram, 100, true),
            ("콜롬비아 원두", "커피", 4_000, Gram, 100, true),
            ("디카페인 원두", "커피", 4_800, Gram, 100, true),
            ("드립백 세트", "커피", 12_000, Piece, 1, false),
            ("콜드브루", "커피", 6_000, Piece, 1, false),
            ("유기농 홍차", "차", 3_500, Gram, 100, true),
        ],
    },
    Shop {
        name: "연희 자활 세탁소",
        kind: SelfSufficiencyEnterprise,
        lat: 37.5680,
        lon: 126.9320,
        address: "서울 서대문구 연희로 41",
        goods: &[
            ("운동화 세탁", "세탁", 6_000, Piece, 1, false),
            ("이불 세탁", "세탁", 15_000, Piece, 1, false),
            ("와이셔츠 세탁", "세탁", 2_500, Piece, 1, false),
            ("친환경 산소계 표백제", "세제", 500, Gram, 100, true),
            ("구연산", "세제", 400, Gram, 100, true),
            ("베이킹소다", "세제", 300, Gram, 100, true),
        ],
    },
    Shop {
        name: "연희동 마을부엌",
        kind: VillageEnterprise,
        lat: 37.5658,
        lon: 126.9335,
        address: "서울 서대문구 연희로 18",
        goods: &[
            ("집된장", "장류", 1_800, Gram, 100, true),
            ("고추장", "장류", 2_000, Gram, 100, true),
            ("국간장", "장류", 1_200, Ml, 100, true),
            ("들기름", "기름", 4_000, Ml, 100, true),
            ("반찬 3종 세트", "반찬", 12_000, Piece, 1, false),
            ("김치 1kg", "반찬", 15_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "사회적기업 초록손",
        kind: SocialEnterprise,
        lat: 37.5690,
        lon: 126.9298,
        address: "서울 서대문구 성산로 22",
        goods: &[
            ("밀랍 랩", "생활", 9_000, Piece, 1, false),
            ("면 주머니", "생활", 3_000, Piece, 1, false),
            ("고체 샴푸바", "샴푸", 12_000, Piece, 1, false),
            ("설거지 비누", "세제", 6_000, Piece, 1, false),
            ("스테인리스 빨대", "생활", 2_000, Piece, 1, false),
            ("유리 용기 500ml", "생활", 4_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "연희 올리브오일",
        kind: SmallBusiness,
        lat: 37.5648,
        lon: 126.9318,
        address: "서울 서대문구 연희로 9",
        goods: &[
            ("엑스트라버진 올리브유", "기름", 3_800, Ml, 100, true),
            ("발사믹 식초", "식초", 3_000, Ml, 100, true),
            ("현미식초", "식초", 1_500, Ml, 100, true),
            ("포도씨유", "기름", 1_800, Ml, 100, true),
            ("바질 페스토", "소스", 9_000, Piece, 1, false),
            ("올리브 절임", "소스", 7_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "연희 협동조합 빵공방",
        kind: Cooperative,
        lat: 37.5675,
        lon: 126.9342,
        address: "서울 서대문구 연희로 33",
        goods: &[
            ("우리밀 식빵", "빵", 5_500, Piece, 1, false),
            ("통밀 깜빠뉴", "빵", 7_000, Piece, 1, false),
            ("무설탕 쿠키", "과자", 4_000, Piece, 1, false),
            ("그래놀라", "곡물", 2_200, Gram, 100, true),
            ("건포도", "견과", 1_400, Gram, 100, true),
            ("호두", "견과", 3_000, Gram, 100, true),
        ],
    },
];

/// A market's day: every day 09:00–21:00.
fn market_hours() -> golmok_catalog::OpeningHours {
    golmok_catalog::OpeningHours(
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .into_iter()
            .map(|d| (d.to_owned(), vec![["09:00".to_owned(), "21:00".to_owned()]]))
            .collect(),
    )
}

const MANGWON: [Shop; 9] = [
    Shop {
        name: "망원 두부가게",
        kind: SmallBusiness,
        lat: 37.5559,
        lon: 126.9015,
        address: "서울 마포구 망원로 47",
        goods: &[
            ("국산콩 손두부", "두부", 3_500, Piece, 1, false),
            ("순두부", "두부", 2_500, Piece, 1, false),
            ("유부", "두부", 3_000, Piece, 1, false),
            ("콩물", "음료", 3_000, Ml, 500, false),
            ("비지", "두부", 1_000, Piece, 1, false),
            ("두부 과자", "과자", 2_500, Piece, 1, false),
        ],
    },
    Shop {
        name: "망원 정육점",
        kind: SmallBusiness,
        lat: 37.5563,
        lon: 126.9023,
        address: "서울 마포구 망원로 51",
        goods: &[
            ("한돈 삼겹살", "정육", 2_900, Gram, 100, false),
            ("한우 불고기", "정육", 4_500, Gram, 100, false),
            ("닭가슴살", "정육", 1_400, Gram, 100, false),
            ("수제 소시지", "정육", 8_000, Piece, 1, false),
            ("돼지 앞다리살", "정육", 1_800, Gram, 100, false),
            ("사골 육수", "정육", 6_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "망원 청과",
        kind: SmallBusiness,
        lat: 37.5555,
        lon: 126.9008,
        address: "서울 마포구 포은로 70",
        goods: &[
            ("제철 사과 1봉", "과일", 9_000, Piece, 1, false),
            ("유기농 바나나", "과일", 4_500, Piece, 1, false),
            ("감귤 1kg", "과일", 7_000, Piece, 1, false),
            ("애호박", "채소", 1_500, Piece, 1, false),
            ("양파 1망", "채소", 3_500, Piece, 1, false),
            ("대파 1단", "채소", 2_500, Piece, 1, false),
        ],
    },
    Shop {
        name: "망원 떡집",
        kind: SmallBusiness,
        lat: 37.5567,
        lon: 126.9030,
        address: "서울 마포구 망원로 55",
        goods: &[
            ("가래떡", "떡", 5_000, Piece, 1, false),
            ("인절미", "떡", 6_000, Piece, 1, false),
            ("꿀떡", "떡", 4_000, Piece, 1, false),
            ("떡국떡", "떡", 6_500, Piece, 1, false),
            ("약식", "떡", 7_000, Piece, 1, false),
            ("송편", "떡", 8_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "망원 협동조합 커피",
        kind: Cooperative,
        lat: 37.5548,
        lon: 126.9040,
        address: "서울 마포구 망원로 60",
        goods: &[
            ("하우스 블렌드 원두", "커피", 3_800, Gram, 100, true),
            ("케냐 원두", "커피", 4_600, Gram, 100, true),
            ("보리차", "차", 1_000, Gram, 100, true),
            ("캐모마일", "차", 3_000, Gram, 100, true),
            ("텀블러", "생활", 18_000, Piece, 1, false),
            ("콜드브루 원액", "커피", 3_000, Ml, 100, false),
        ],
    },
    Shop {
        name: "마포 사회적기업 반찬공방",
        kind: SocialEnterprise,
        lat: 37.5572,
        lon: 126.9001,
        address: "서울 마포구 희우정로 12",
        goods: &[
            ("멸치볶음", "반찬", 5_000, Piece, 1, false),
            ("장조림", "반찬", 7_000, Piece, 1, false),
            ("시금치나물", "반찬", 4_000, Piece, 1, false),
            ("잡채", "반찬", 8_000, Piece, 1, false),
            ("배추김치", "반찬", 1_500, Gram, 100, false),
            ("깍두기", "반찬", 1_300, Gram, 100, false),
        ],
    },
    Shop {
        name: "망원동 마을기업 참기름집",
        kind: VillageEnterprise,
        lat: 37.5544,
        lon: 126.9012,
        address: "서울 마포구 망원로 30",
        goods: &[
            ("참기름", "기름", 5_000, Ml, 100, true),
            ("들기름", "기름", 4_500, Ml, 100, true),
            ("볶은 참깨", "곡물", 3_000, Gram, 100, true),
            ("들깨가루", "곡물", 2_500, Gram, 100, true),
            ("고춧가루", "양념", 4_000, Gram, 100, true),
            ("미숫가루", "곡물", 2_000, Gram, 100, true),
        ],
    },
    Shop {
        name: "마포 자활 청소협동",
        kind: SelfSufficiencyEnterprise,
        lat: 37.5580,
        lon: 126.9045,
        address: "서울 마포구 월드컵로 21",
        goods: &[
            ("에어컨 청소", "청소", 80_000, Piece, 1, false),
            ("입주 청소 상담", "청소", 10_000, Piece, 1, false),
            ("욕실 세정제 리필", "세제", 600, Ml, 100, true),
            ("유리 세정제 리필", "세제", 500, Ml, 100, true),
            ("극세사 걸레", "생활", 3_000, Piece, 1, false),
            ("천연 탈취제", "생활", 7_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "망원 수제 맥주",
        kind: SmallBusiness,
        lat: 37.5552,
        lon: 126.9052,
        address: "서울 마포구 망원로 72",
        goods: &[
            ("페일에일", "주류", 6_000, Piece, 1, false),
            ("IPA", "주류", 7_000, Piece, 1, false),
            ("흑맥주", "주류", 7_000, Piece, 1, false),
            ("맥주 리필 (그라울러)", "주류", 2_000, Ml, 100, true),
            ("무알콜 맥주", "음료", 4_000, Piece, 1, false),
            ("안주 세트", "안주", 12_000, Piece, 1, false),
        ],
    },
];

/// Yangpyeong 2-dong, Yeongdeungpo: the walkable street by Seonyudo station, where the
/// consortium holds its dog-friendly alley festival and runs a stamp tour.
const SEONYU: [Shop; 5] = [
    Shop {
        name: "선유골목 반려견 수제간식",
        kind: SmallBusiness,
        lat: 37.5372,
        lon: 126.8941,
        address: "서울 영등포구 양평로22길 8",
        goods: &[
            ("닭가슴살 육포", "반려동물", 9_000, Piece, 1, false),
            ("고구마 말랭이 간식", "반려동물", 7_000, Piece, 1, false),
            ("강아지 케이크", "반려동물", 25_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "선유 동네부엌 협동조합",
        kind: Cooperative,
        lat: 37.5381,
        lon: 126.8952,
        address: "서울 영등포구 선유로47길 12",
        goods: &[
            ("오늘의 도시락", "반찬", 8_000, Piece, 1, false),
            ("잡곡", "곡물", 700, Gram, 100, true),
            ("들기름", "양념", 2_500, Ml, 100, true),
        ],
    },
    Shop {
        name: "양평동 마을기업 카페",
        kind: VillageEnterprise,
        lat: 37.5366,
        lon: 126.8929,
        address: "서울 영등포구 양평로20길 15",
        goods: &[
            ("드립백 커피 5개", "음료", 9_500, Piece, 1, false),
            ("원두", "음료", 2_800, Gram, 100, true),
            ("수제 쿠키", "간식", 3_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "선유 리필상점",
        kind: SocialEnterprise,
        lat: 37.5389,
        lon: 126.8961,
        address: "서울 영등포구 선유로49길 3",
        goods: &[
            ("주방세제", "세제", 450, Ml, 100, true),
            ("반려견 샴푸", "반려동물", 1_200, Ml, 100, true),
            ("소프넛", "세제", 1_500, Gram, 100, true),
        ],
    },
    Shop {
        name: "양평동 자활 세탁소",
        kind: SelfSufficiencyEnterprise,
        lat: 37.5359,
        lon: 126.8950,
        address: "서울 영등포구 양평로 101",
        goods: &[
            ("반려견 방석 세탁", "세탁", 12_000, Piece, 1, false),
            ("운동화 세탁", "세탁", 6_000, Piece, 1, false),
            ("이불 세탁", "세탁", 15_000, Piece, 1, false),
        ],
    },
];

const SEONGSU: [Shop; 8] = [
    Shop {
        name: "성수 수제화 공방",
        kind: SmallBusiness,
        lat: 37.5446,
        lon: 127.0559,
        address: "서울 성동구 성수이로 7",
        goods: &[
            ("수제 로퍼", "신발", 189_000, Piece, 1, false),
            ("수제 구두 수선", "신발", 25_000, Piece, 1, false),
            ("가죽 키링", "잡화", 15_000, Piece, 1, false),
            ("구두약", "잡화", 6_000, Piece, 1, false),
            ("가죽 카드지갑", "잡화", 39_000, Piece, 1, false),
            ("신발 깔창", "신발", 9_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "성수 로컬푸드 협동조합",
        kind: Cooperative,
        lat: 37.5438,
        lon: 127.0571,
        address: "서울 성동구 연무장길 12",
        goods: &[
            ("유기농 쌀", "곡물", 600, Gram, 100, true),
            ("감자 1kg", "채소", 4_000, Piece, 1, false),
            ("방울토마토", "채소", 5_500, Piece, 1, false),
            ("유정란 10구", "계란", 6_500, Piece, 1, false),
            ("무농약 상추", "채소", 2_500, Piece, 1, false),
            ("꿀", "양념", 3_500, Gram, 100, true),
        ],
    },
    Shop {
        name: "성수 자활 카페",
        kind: SelfSufficiencyEnterprise,
        lat: 37.5452,
        lon: 127.0548,
        address: "서울 성동구 성수일로 4",
        goods: &[
            ("아메리카노", "커피", 3_000, Piece, 1, false),
            ("카페라떼", "커피", 3_800, Piece, 1, false),
            ("원두 블렌드", "커피", 3_500, Gram, 100, true),
            ("스콘", "빵", 3_500, Piece, 1, false),
            ("당근 케이크", "빵", 6_000, Piece, 1, false),
            ("수제 청", "음료", 2_500, Ml, 100, true),
        ],
    },
    Shop {
        name: "성동 사회적기업 새활용",
        kind: SocialEnterprise,
        lat: 37.5430,
        lon: 127.0583,
        address: "서울 성동구 성수이로 20",
        goods: &[
            ("현수막 새활용 가방", "잡화", 29_000, Piece, 1, false),
            ("커피 자루 파우치", "잡화", 15_000, Piece, 1, false),
            ("폐목재 도마", "생활", 25_000, Piece, 1, false),
            ("업사이클 화분", "생활", 12_000, Piece, 1, false),
            ("병뚜껑 키링", "잡화", 5_000, Piece, 1, false),
            ("천 마스크", "생활", 4_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "성수 마을기업 방앗간",
        kind: VillageEnterprise,
        lat: 37.5460,
        lon: 127.0575,
        address: "서울 성동구 뚝섬로 3",
        goods: &[
            ("고춧가루", "양념", 4_200, Gram, 100, true),
            ("참기름", "기름", 5_200, Ml, 100, true),
            ("미숫가루", "곡물", 2_100, Gram, 100, true),
            ("떡국떡", "떡", 6_000, Piece, 1, false),
            ("가래떡", "떡", 5_000, Piece, 1, false),
            ("콩가루", "곡물", 1_800, Gram, 100, true),
        ],
    },
    Shop {
        name: "성수 베이글",
        kind: SmallBusiness,
        lat: 37.5441,
        lon: 127.0537,
        address: "서울 성동구 아차산로 9",
        goods: &[
            ("플레인 베이글", "빵", 3_000, Piece, 1, false),
            ("어니언 베이글", "빵", 3_500, Piece, 1, false),
            ("크림치즈", "유제품", 4_000, Piece, 1, false),
            ("통밀 베이글", "빵", 3_500, Piece, 1, false),
            ("베이글 샌드위치", "빵", 8_500, Piece, 1, false),
            ("그래놀라", "곡물", 2_400, Gram, 100, true),
        ],
    },
    Shop {
        name: "성수 꽃집",
        kind: SmallBusiness,
        lat: 37.5457,
        lon: 127.0592,
        address: "서울 성동구 성수이로 33",
        goods: &[
            ("계절 꽃다발", "꽃", 35_000, Piece, 1, false),
            ("미니 화분", "꽃", 9_000, Piece, 1, false),
            ("드라이플라워", "꽃", 18_000, Piece, 1, false),
            ("꽃 구독 (주 1회)", "꽃", 30_000, Piece, 1, false),
            ("다육이", "꽃", 5_000, Piece, 1, false),
            ("허브 화분", "꽃", 7_000, Piece, 1, false),
        ],
    },
    Shop {
        name: "성수 제로웨이스트숍",
        kind: SmallBusiness,
        lat: 37.5435,
        lon: 127.0560,
        address: "서울 성동구 연무장길 30",
        goods: &[
            ("주방세제 리필", "세제", 850, Ml, 100, true),
            ("샴푸 리필", "샴푸", 1_600, Ml, 100, true),
            ("린스 리필", "샴푸", 1_600, Ml, 100, true),
            ("고체 치약", "생활", 9_000, Piece, 1, false),
            ("대나무 칫솔", "생활", 3_000, Piece, 1, false),
            ("손수건", "생활", 5_000, Piece, 1, false),
        ],
    },
];

/// The demo's sign-ins, one per role, as `golmok serve --demo` prints them.
pub const DEMO_SIGN_INS: [(&str, &str); 5] = [
    ("shopper", "shopper@demo.golmok.kr"),
    ("merchant", "merchant@demo.golmok.kr"),
    ("courier", "courier@demo.golmok.kr"),
    ("coordinator", "coordinator@demo.golmok.kr"),
    ("admin", "admin@demo.golmok.kr"),
];

/// `golmok serve --demo`: loads the demo into a database nobody has used yet (no account),
/// and never into one that holds data. Returns whether it seeded.
pub async fn demo_on_first_start(
    db: &DatabaseConnection,
    cache: &dyn Cache,
) -> anyhow::Result<bool> {
    if golmok_accounts::any_exist(db).await? {
        return Ok(false);
    }
    demo(db, cache).await?;
    Ok(true)
}

/// Loads the demo. Returns what it created, one line each, or nothing when already there.
pub async fn demo(db: &DatabaseConnection, cache: &dyn Cache) -> anyhow::Result<Vec<String>> {
    let mut created = Vec::new();
    let people = [
        ("admin@demo.golmok.kr", "플랫폼 운영자", Role::Admin),
        (
            "coordinator@demo.golmok.kr",
            "서북권 코디네이터",
            Role::Coordinator,
        ),
        (
            "merchant@demo.golmok.kr",
            "망원 두부가게 사장",
            Role::Merchant,
        ),
        ("courier@demo.golmok.kr", "공동배송 기사", Role::Courier),
        ("shopper@demo.golmok.kr", "김민지", Role::Shopper),
    ];
    let mut accounts = Vec::new();
    for (email, name, role) in people {
        let (account, new) = account(db, email, name, role).await?;
        if new {
            created.push(format!("account {} ({})", account.email, account.role));
        }
        accounts.push(account);
    }
    let (admin, coordinator, tofu_owner) = (&accounts[0], &accounts[1], &accounts[2]);

    let agencies = agency::list_agencies(db).await?;
    if agencies.iter().any(|a| a.name == METROPOLITAN_AGENCY) {
        return Ok(created);
    }
    agency::create_agency(
        db,
        admin,
        NewAgency {
            name: METROPOLITAN_AGENCY.into(),
            kind: AgencyKind::Metropolitan,
            districts: vec![],
        },
    )
    .await?;
    let northwest = agency::create_agency(
        db,
        admin,
        NewAgency {
            name: "서북권 지역지원기관".into(),
            kind: AgencyKind::Regional,
            districts: vec!["마포구".into(), "서대문구".into(), "은평구".into()],
        },
    )
    .await?;
    agency::create_agency(
        db,
        admin,
        NewAgency {
            name: "성동·광진 지역지원기관".into(),
            kind: AgencyKind::Regional,
            districts: vec!["성동구".into(), "광진구".into()],
        },
    )
    .await?;
    // The other regional agencies of the programme: thirteen in all, over nineteen districts.
    for (name, districts) in OTHER_REGIONAL_AGENCIES {
        agency::create_agency(
            db,
            admin,
            NewAgency {
                name: name.into(),
                kind: AgencyKind::Regional,
                districts: districts.iter().map(|d| (*d).to_owned()).collect(),
            },
        )
        .await?;
    }
    agency::assign_coordinator(db, admin, &northwest.id, &coordinator.id).await?;
    created.push(format!(
        "{} support agencies",
        3 + OTHER_REGIONAL_AGENCIES.len()
    ));

    let groups: [(&str, &str, &[Shop]); 4] = [
        ("연희동 채우장 협업체", "서대문구", &YEONHUI),
        ("망원시장 골목 협업체", "마포구", &MANGWON),
        ("성수 로컬메이커 협업체", "성동구", &SEONGSU),
        ("선유골목 반려동물 협업체", "영등포구", &SEONYU),
    ];
    let mut merchant_count = 0;
    let mut listing_count = 0;
    for (consortium_name, district, shops) in groups {
        let formed = consortium::create_consortium(
            db,
            admin,
            NewConsortium {
                name: consortium_name.into(),
                district: district.into(),
                network_id: None,
            },
        )
        .await?;
        let mut refill_listings = Vec::new();
        for shop in shops {
            merchant_count += 1;
            let owner = if shop.name == "망원 두부가게" {
                tofu_owner.clone()
            } else {
                let email = format!("merchant{merchant_count:02}@demo.golmok.kr");
                account(db, &email, &format!("{} 대표", shop.name), Role::Merchant)
                    .await?
                    .0
            };
            let m = merchant::create_merchant(
                db,
                &owner,
                NewMerchant {
                    name: shop.name.into(),
                    kind: shop.kind,
                    location: Coordinates {
                        lat: shop.lat,
                        lon: shop.lon,
                    },
                    address: shop.address.into(),
                    opening_hours: Some(market_hours()),
                    hours_exceptions: None,
                    phone: Some(format!("02-335-{:04}", 1000 + merchant_count)),
                    pickup_instructions: Some(
                        "가게 앞 계산대에서 주문 번호를 말씀해 주세요.".into(),
                    ),
                    approval_wait_minutes: None,
                },
            )
            .await?;
            for &(title, category, price_krw, unit, unit_quantity, refill) in shop.goods {
                let stock = match unit {
                    Piece => 40,
                    Gram | Ml => 50_000,
                };
                let container = refill.then_some(Container {
                    policy: ContainerPolicy::BringYourOwn,
                    deposit_krw: None,
                });
                let l = listing::create_listing(
                    db,
                    &owner,
                    &m.id,
                    NewListing {
                        title: title.into(),
                        description: format!("{} {}의 {}", district, shop.name, title),
                        category: category.into(),
                        price_krw,
                        unit,
                        unit_quantity,
                        stock,
                        refill,
                        container,
                        status: None,
                        unit_weight_grams: None,
                        unit_volume_millilitres: None,
                        // What one fill replaces: a detergent or shampoo bottle, or a
                        // plastic bag of grain.
                        packaging_grams: refill.then_some(match unit {
                            Ml => 40,
                            _ => 8,
                        }),
                        // Fellow members buy a tenth below the shop's price (상호거래).
                        member_price_krw: Some((price_krw * 9 / 10 / 10 * 10).max(10)),
                    },
                )
                .await?;
                listing_count += 1;
                if refill {
                    refill_listings.push(l.id);
                }
            }
            consortium::add_member(db, cache, admin, &formed.id, &m.id).await?;
        }
        if consortium_name.contains("채우장") {
            let now = chrono::Utc::now();
            campaign::create_campaign(
                db,
                admin,
                NewCampaign {
                    consortium_id: formed.id.clone(),
                    kind: CampaignKind::RefillMarket,
                    title: "연희동 채우장: 용기 들고 오세요".into(),
                    starts_at: now - chrono::Duration::days(1),
                    ends_at: now + chrono::Duration::days(30),
                    listing_ids: refill_listings,
                    location: Some(Coordinates {
                        lat: 37.5664,
                        lon: 126.9306,
                    }),
                    place: Some("연희동 주민센터 앞 골목".into()),
                    discount: None,
                },
            )
            .await?;
        }
        created.push(format!(
            "consortium {consortium_name} ({} merchants)",
            shops.len()
        ));
    }
    created.push(format!(
        "{merchant_count} merchants, {listing_count} listings"
    ));

    let networks = pilot_networks(db, admin).await?;
    created.push(format!(
        "{} co-delivery networks with couriers",
        networks.len()
    ));
    for (consortium_name, district) in [
        ("연희동 채우장 협업체", "서대문구"),
        ("망원시장 골목 협업체", "마포구"),
        ("성수 로컬메이커 협업체", "성동구"),
        ("선유골목 반려동물 협업체", "영등포구"),
    ] {
        let Some((_, network_id)) = networks.iter().find(|(d, _)| d == district) else {
            continue;
        };
        let page = consortium::list_consortia(db, Some(district), 100, None).await?;
        if let Some(c) = page.items.iter().find(|c| c.name == consortium_name) {
            consortium::update_consortium(
                db,
                cache,
                admin,
                &c.id,
                golmok_catalog::ConsortiumPatch {
                    name: None,
                    network_id: Some(Some(network_id.clone())),
                    commission_bps: None,
                    member_trade_district_wide: None,
                },
            )
            .await?;
        }
    }
    let consortia = consortium::list_consortia(db, None, 100, None).await?.items;
    created.extend(programme::programme(db, cache, admin, coordinator, &consortia).await?);
    Ok(created)
}

/// The five pilot networks: (district, network id).
async fn pilot_networks(
    db: &DatabaseConnection,
    admin: &Account,
) -> anyhow::Result<Vec<(String, String)>> {
    use golmok_delivery_routing::courier::{self, Capacity, NewCourier, Shift, VehicleKind};
    use golmok_delivery_routing::network::{self, NewNetwork, WaveSpec};

    #[derive(serde::Deserialize)]
    struct Districts {
        districts: Vec<District>,
    }
    #[derive(serde::Deserialize)]
    struct District {
        district: String,
        area: serde_json::Value,
    }
    let districts: Districts = serde_json::from_str(include_str!("pilot_districts.json"))?;
    // Hubs at a market or station of each district.
    let hubs = [
        (
            "마포구",
            "마포 공동배송망 (망원시장 허브)",
            37.5559,
            126.9060,
        ),
        (
            "서대문구",
            "서대문 공동배송망 (연희동 허브)",
            37.5680,
            126.9320,
        ),
        ("성동구", "성동 공동배송망 (성수동 허브)", 37.5446, 127.0500),
        (
            "영등포구",
            "영등포 공동배송망 (영등포시장 허브)",
            37.5190,
            126.9050,
        ),
        ("은평구", "은평 공동배송망 (연신내 허브)", 37.6190, 126.9210),
    ];
    let fleet = [
        (VehicleKind::CargoBike, 60.0, 120.0, "10:00", "20:00"),
        (VehicleKind::EScooter, 25.0, 40.0, "10:30", "19:30"),
        (VehicleKind::OnFoot, 8.0, 15.0, "10:30", "14:00"),
        (VehicleKind::SmallVan, 400.0, 1500.0, "09:30", "20:00"),
    ];
    let mut out = Vec::new();
    let mut courier_number = 0;
    for (district, name, lat, lon) in hubs {
        let area = districts
            .districts
            .iter()
            .find(|d| d.district == district)
            .map(|d| d.area.clone())
            .ok_or_else(|| anyhow::anyhow!("no boundary for {district}"))?;
        let created = network::create_network(
            db,
            admin,
            NewNetwork {
                name: name.into(),
                hub: Coordinates { lat, lon },
                area,
                waves: vec![
                    WaveSpec {
                        name: "점심".into(),
                        start: "11:00".into(),
                        end: "13:00".into(),
                        cutoff: "10:00".into(),
                    },
                    WaveSpec {
                        name: "저녁".into(),
                        start: "17:00".into(),
                        end: "19:00".into(),
                        cutoff: "16:00".into(),
                    },
                ],
                // The fleet decides what a slot takes: 12 stops an hour a courier (the
                // simulated days plan 13 to 20 where the solver is pressed), less 10 %.
                slot_capacity: None,
                stops_per_hour: Some(12.0),
                capacity_margin_pct: Some(10),
                move_without_consent: Some(false),
                photo_proof_allowed: Some(true),
                delivery_fee_krw: Some(3_000),
                free_delivery_over_krw: Some(40_000),
            },
        )
        .await?;
        // Mapo, the largest pilot, runs a van too.
        let vehicles = if district == "마포구" {
            &fleet[..]
        } else {
            &fleet[..3]
        };
        for &(vehicle, kg, liters, start, end) in vehicles {
            courier_number += 1;
            let (account, _) = if courier_number == 1 {
                account(db, "courier@demo.golmok.kr", "공동배송 기사", Role::Courier).await?
            } else {
                let email = format!("courier{courier_number:02}@demo.golmok.kr");
                account(
                    db,
                    &email,
                    &format!("{district} 기사 {courier_number}"),
                    Role::Courier,
                )
                .await?
            };
            courier::create_courier(
                db,
                admin,
                NewCourier {
                    account_id: account.id,
                    network_id: created.id.clone(),
                    vehicle,
                    capacity: Capacity { kg, liters },
                    shift: Shift {
                        start: start.into(),
                        end: end.into(),
                    },
                },
            )
            .await?;
        }
        out.push((district.to_owned(), created.id));
    }
    Ok(out)
}
