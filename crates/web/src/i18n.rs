//! Korean first, English second. Every text a page shows is a field of [`Texts`], so a
//! template asking for a text that does not exist fails to compile, and a language missing a
//! text cannot be written.

use axum::http::{HeaderMap, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ko => Lang::En,
            Lang::En => Lang::Ko,
        }
    }

    /// Korean unless the browser prefers English over it.
    pub fn from_accept_language(headers: &HeaderMap) -> Lang {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let position = |code: &str| accept.find(code);
        match (position("en"), position("ko")) {
            (Some(en), Some(ko)) if en < ko => Lang::En,
            (Some(_), None) => Lang::En,
            _ => Lang::Ko,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Ko => &KO,
            Lang::En => &EN,
        }
    }
}

macro_rules! texts {
    ($($key:ident: $ko:literal, $en:literal;)*) => {
        /// One language's texts.
        #[derive(Debug)]
        pub struct Texts {
            $(pub $key: &'static str,)*
        }
        pub static KO: Texts = Texts { $($key: $ko,)* };
        pub static EN: Texts = Texts { $($key: $en,)* };
    };
}

texts! {
    site_name: "골목", "Golmok";
    tagline: "동네 가게들이 함께 팔고 함께 배달합니다", "Neighbourhood shops that sell and deliver together";
    skip_to_content: "본문으로 건너뛰기", "Skip to content";
    other_language: "English", "한국어";
    nav_home: "홈", "Home";
    nav_search: "검색", "Search";
    nav_basket: "장바구니", "Basket";
    nav_orders: "주문 내역", "Orders";
    nav_sign_in: "로그인", "Sign in";
    nav_sign_up: "회원가입", "Sign up";
    nav_sign_out: "로그아웃", "Sign out";
    search_placeholder: "두부, 세제, 현미…", "Tofu, detergent, rice…";
    search_button: "찾기", "Search";
    refill_only: "리필 상품만", "Refill goods only";
    home_consortia: "우리 동네 협업체", "Consortia near you";
    home_consortia_all: "모든 협업체", "All consortia";
    home_near_me: "내 위치로 가까운 순 보기", "Show the nearest to me";
    home_campaigns: "진행 중인 캠페인", "Campaigns on now";
    home_no_campaigns: "지금 진행 중인 캠페인이 없습니다.", "No campaign is on right now.";
    home_no_consortia: "아직 협업체가 없습니다.", "There are no consortia yet.";
    members: "회원 가게", "member shops";
    status_active: "판매 중", "Selling";
    status_forming: "준비 중", "Forming";
    forming_note: "회원이 다섯 곳 이상이고 소상공인과 사회적경제기업이 함께할 때 판매를 시작합니다.", "Sells once it has five or more members, small businesses and social-economy enterprises together.";
    campaign_refill_market: "채우장", "Refill market";
    campaign_festival: "골목축제", "Alley festival";
    campaign_promotion: "기획전", "Promotion";
    until: "까지", "until";
    see_goods: "상품 보기", "See the goods";
    shops: "가게", "Shops";
    goods: "상품", "Goods";
    refill_goods: "리필 상품", "Refill goods";
    weighed_goods: "계량", "Weighed";
    district: "자치구", "District";
    kind_small_business: "소상공인", "Small business";
    kind_social_enterprise: "사회적기업", "Social enterprise";
    kind_cooperative: "협동조합", "Cooperative";
    kind_village_enterprise: "마을기업", "Village enterprise";
    kind_self_sufficiency_enterprise: "자활기업", "Self-sufficiency enterprise";
    address: "주소", "Address";
    opening_hours: "영업시간", "Opening hours";
    closed: "휴무", "Closed";
    open_until: "영업 중 · {}까지", "Open now · until {}";
    opens_today_at: "영업 전 · {}에 열어요", "Closed now · opens at {}";
    opens_on: "지금 휴무 · {}에 열어요", "Closed now · opens {}";
    closed_for_now: "당분간 휴무", "Closed for now";
    phone: "전화", "Phone";
    pickup_instructions: "찾아가는 방법", "Collecting your order";
    hours_exceptions: "달라지는 날", "Special days";
    l_pickup_at: "찾으러 갈 시간 (비워 두면 영업시간 중 아무 때나)", "When you will collect (leave empty for any time the shops are open)";
    err_pickup_closed: "그 시간에는 문을 닫는 가게가 있습니다:", "A shop is closed then:";
    profile: "가게 정보", "Shop profile";
    l_weekly_hours: "요일별 영업시간 (예: 10:00-13:00, 14:00-19:00 · 비우면 휴무)", "Hours by weekday (e.g. 10:00-13:00, 14:00-19:00; empty is closed)";
    l_exceptions: "달라지는 날 (한 줄에 하루: 2026-12-25 휴무, 2026-12-31 10:00-15:00)", "Special days (one a line: 2026-12-25 closed, 2026-12-31 10:00-15:00)";
    err_hours: "시간은 10:00-19:00처럼 적고, 여러 번은 쉼표로 나눠 주세요.", "Write hours like 10:00-19:00, several separated by commas.";
    err_exceptions: "한 줄에 날짜(2026-12-25)와 휴무 또는 시간(10:00-15:00)을 적어 주세요.", "One a line: a date (2026-12-25), then closed or hours (10:00-15:00).";
    err_phone: "02-335-1234처럼 전화번호를 적어 주세요.", "Write a phone number such as 02-335-1234.";
    profile_saved: "가게 정보를 저장했습니다.", "Shop profile saved.";
    save_profile: "가게 정보 저장", "Save profile";
    containers_title: "용기 반납", "Containers back";
    sales_title: "매출", "Sales";
    sales_today: "오늘", "Today";
    sales_week: "최근 7일", "Last 7 days";
    orders_count: "건", " orders";
    sales_count: "건", " sales";
    top_listings: "많이 팔린 상품", "Best sellers";
    no_sales_yet: "아직 판매가 없습니다.", "No sales yet.";
    refill_counter: "리필 판매 (최근 7일)", "Refill counter (last 7 days)";
    refill_grams: "무게로 판 양", "Sold by weight";
    refill_ml: "부피로 판 양", "Sold by volume";
    containers_reused: "다시 쓴 용기", "Containers reused";
    order_number: "주문 번호", "Order number";
    l_order_number: "주문 번호 (주문 화면의 끝 6자리)", "Order number (the last 6 characters on the order's page)";
    find_order: "주문 찾기", "Find the order";
    no_deposit_lines: "이 번호로 보증금 용기에 담아 판 주문이 없습니다.", "No order with this number was sold in deposit containers.";
    take_container_back: "반납 받고 보증금 돌려주기", "Take back and refund the deposit";
    container_done: "반납됨", "Returned";
    container_returned: "용기를 받고 보증금을 돌려드렸습니다.", "Container taken back; the deposit is refunded.";
    in_consortia: "소속 협업체", "Consortia";
    no_goods: "판매 중인 상품이 없습니다.", "Nothing on sale.";
    price: "가격", "Price";
    unit_price: "단가", "Unit price";
    per_100g: "100 g당", "per 100 g";
    per_100ml: "100 ml당", "per 100 ml";
    weighed_note: "무게를 달아 최종 금액이 정해집니다. 결제는 예상 금액에 여유분을 더해 승인됩니다.", "The final price is set when it is weighed; the payment holds the estimate plus a margin.";
    container_policy: "용기", "Container";
    container_own: "개인 용기를 가져오세요 (배송 시 기사님께 전달)", "Bring your own container (hand it to the courier on delivery)";
    container_deposit: "보증금 용기", "Deposit container";
    deposit: "보증금", "deposit";
    in_stock: "재고", "In stock";
    sold_out: "품절", "Sold out";
    not_for_sale: "지금은 판매하지 않는 상품입니다.", "This item is not for sale now.";
    quantity: "수량", "Quantity";
    unit_piece: "개", "pcs";
    add_to_basket: "장바구니에 담기", "Add to basket";
    added_to_basket: "장바구니에 담았습니다.", "Added to your basket.";
    go_to_basket: "장바구니 보기", "View basket";
    shop: "가게", "Shop";
    search_title: "상품 검색", "Search goods";
    search_results: "검색 결과", "Results";
    no_results: "찾는 상품이 없습니다.", "Nothing matches.";
    next_page: "다음", "Next";
    basket_title: "장바구니", "Basket";
    basket_empty: "장바구니가 비어 있습니다.", "Your basket is empty.";
    basket_from: "주문 협업체", "Buying from";
    basket_other_consortium: "장바구니에 다른 협업체의 상품이 있습니다. 주문하거나 비운 뒤 담아 주세요.", "Your basket holds goods of another consortium; check out or empty it first.";
    update: "변경", "Update";
    remove: "빼기", "Remove";
    empty_basket: "장바구니 비우기", "Empty the basket";
    unavailable: "재고 부족 또는 판매 중지", "Not enough stock, or no longer sold";
    subtotal: "소계", "Subtotal";
    items_total: "상품 금액", "Goods";
    deposits_total: "용기 보증금", "Container deposits";
    delivery_fee: "배송비", "Delivery fee";
    total: "합계", "Total";
    estimate_note: "무게로 파는 상품은 계량 후 금액이 확정됩니다.", "Goods sold by weight are charged once weighed.";
    to_checkout: "주문하기", "Check out";
    checkout_title: "주문하기", "Check out";
    fulfillment: "받는 방법", "How you get it";
    pickup: "가게에서 직접 찾기", "Pick up at each shop";
    delivery: "공동배송으로 받기", "Co-delivery to your door";
    no_network: "이 협업체는 아직 공동배송을 하지 않습니다.", "This consortium has no co-delivery yet.";
    slot: "배송 시간", "Delivery slot";
    slot_cutoff: "주문 마감", "orders close";
    slot_left: "남은 자리", "places left";
    no_slots: "지금 주문할 수 있는 배송 시간이 없습니다.", "No delivery slot is open now.";
    delivery_address: "받는 주소", "Delivery address";
    pin_help: "지도에서 받는 곳을 눌러 핀을 놓으세요. 배송 지역(색칠된 곳) 안이어야 합니다.", "Tap the map where we should deliver. It must be inside the shaded delivery area.";
    latitude: "위도", "Latitude";
    longitude: "경도", "Longitude";
    outside_area: "배송 지역 밖입니다. 지역 안을 눌러 주세요.", "That is outside the delivery area; tap inside it.";
    inside_area: "배송 지역 안입니다.", "Inside the delivery area.";
    payment: "결제", "Payment";
    pay_offline: "만나서 결제 / 계좌이체", "Pay on delivery or by bank transfer";
    pay_card: "카드 결제", "Card";
    coupon: "쿠폰", "Coupon";
    trade_title: "상호거래", "Member trade";
    trade_buy: "회원 가게에서 사기 (외상, 월말 정산)", "Buy from a fellow member (on account, settled monthly)";
    trade_no_members: "함께 거래할 회원 가게가 없습니다.", "No fellow member shops to trade with.";
    trade_goods: "상품 (회원가)", "Goods (member price)";
    trade_note: "메모", "Note";
    trade_delivery: "받는 방법", "How it reaches you";
    trade_collect: "직접 가져가기", "Collect it myself";
    trade_by_courier: "공동배송", "Co-delivery";
    trade_pickup_code: "픽업 코드", "Pick-up code";
    trade_door_code: "받을 때 코드", "Code at your door";
    mt_placed: "접수 대기", "Waiting for the seller";
    mt_accepted: "접수됨", "Accepted";
    mt_picked_up: "배송 중", "On its way";
    mt_handed_over: "전달됨", "Handed over";
    mt_rejected: "거절됨", "Rejected";
    mt_cancelled: "취소됨", "Cancelled";
    dl_open: "배차 대기", "Waiting for a route";
    dl_planned: "배차됨", "On a route";
    dl_picked_up: "픽업함", "Picked up";
    dl_delivered: "배달 완료", "Delivered";
    dl_withdrawn: "배송 취소", "Withdrawn";
    dl_pickup: "직접 가져가기로 바뀜", "Changed to collection";
    trade_order: "주문하기", "Order";
    trade_orders: "주문", "Orders";
    trade_sold_to: "판매 →", "Sold to";
    trade_bought_from: "구매 ←", "Bought from";
    trade_accept: "접수", "Accept";
    trade_hand_over: "전달 완료", "Handed over";
    trade_reject: "거절", "Reject";
    trade_cancel: "취소", "Cancel";
    trade_statement: "월 정산서", "Monthly statement";
    trade_counterparty: "상대 가게", "With";
    trade_sold: "판매", "Sold";
    trade_bought: "구매", "Bought";
    trade_balance: "받을 돈 (−: 줄 돈)", "Owed to you (−: you owe)";
    trade_received: "입금 확인", "Payment received";
    l_member_price: "회원가 (협업체 회원 가게끼리, 비우면 없음)", "Member price (for fellow member shops; empty for none)";
    tours_title: "골목 여행·스탬프 투어", "Alleys and stamp tours";
    nav_tours: "골목 여행", "Alley tours";
    no_tours: "아직 공개된 골목 페이지가 없습니다.", "No alley pages yet.";
    tour_kind_alley: "골목", "Alley";
    tour_kind_stamp: "스탬프 투어", "Stamp tour";
    tour_route: "걷는 길", "The walk";
    tour_coupon_is: "모든 가게 스탬프를 모으면 쿠폰", "Collect every shop's stamp for a coupon of";
    tour_progress: "내 스탬프", "Your stamps";
    tour_stamped: "스탬프 받음", "Stamped";
    tour_not_stamped: "아직", "Not yet";
    tour_complete: "완주! 쿠폰이 발급되었습니다", "Tour complete! Your coupon";
    tour_coupon_use: "온라인 결제 때나 축제 가판에서 이 번호를 보여 주세요.", "Use it at checkout online, or show this code at a stall.";
    tour_sign_in: "스탬프를 모으려면 로그인하세요", "Sign in to collect stamps";
    tour_not_running: "지금은 스탬프를 받는 기간이 아닙니다.", "This tour is not taking stamps today.";
    stamp_title: "스탬프 받기", "Take the stamp";
    stamp_at: "가게", "Shop";
    stamp_unknown_shop: "이 투어의 가게 코드가 아닙니다.", "This is not a shop code of this tour.";
    stamp_take: "스탬프 찍기", "Stamp it";
    tours_manage: "골목 페이지·스탬프 투어", "Alley pages and stamp tours";
    tour_new: "새 골목 페이지·투어", "New alley page or tour";
    tour_title_label: "제목", "Title";
    tour_story: "이야기", "Story";
    tour_kind_label: "종류", "Kind";
    tour_starts: "시작일", "First day";
    tour_ends: "마지막 날", "Last day";
    tour_coupon_label: "완주 쿠폰 (원)", "Coupon on completion (won)";
    tour_order: "순서 (비우면 제외)", "Order (empty: not on the walk)";
    tour_stop_note: "볼거리", "What to see";
    tour_create: "만들기", "Create";
    tour_codes: "가게별 QR 포스터", "Shops' QR posters";
    tour_codes_note: "가게 입구나 계산대에 붙여 두세요. 코드는 이 투어와 가게에만 맞게 서명되어 있습니다.", "Put each at the shop's door or counter. Each code is signed for this tour and this shop only.";
    tour_open: "공개 페이지", "Public page";
    coupon_none: "쿠폰 쓰지 않기", "No coupon";
    coupon_needs_more: "한 가게에서 쿠폰 금액보다 많이 담으면 쓸 수 있어요.", "Usable once one shop's goods come to more than the coupon.";
    coupon_code: "쿠폰 번호 (있으면)", "Coupon code (if any)";
    err_coupon_used: "이 쿠폰은 이미 사용되었습니다.", "That coupon has already been used.";
    err_coupon: "이 장바구니에는 이 쿠폰을 쓸 수 없습니다.", "That coupon cannot be used on this basket.";
    coupon_off: "할인", "off";
    coupon_at_checkout: "결제할 때 쓸 수 있는 쿠폰", "Coupons you can use at checkout";
    coupon_applies: "가장 큰 가게 몫에서 빠지고, 비용은 협업체가 냅니다.", "Taken off the largest shop's part; the consortium pays it.";
    total_with_coupon: "쿠폰 적용 시 합계", "Total with the coupon";
    place_order: "주문 확정", "Place order";
    card_title: "카드로 결제", "Pay by card";
    card_pay: "결제하기", "Pay";
    orders_title: "주문 내역", "Your orders";
    no_orders: "아직 주문이 없습니다.", "No orders yet.";
    order_title: "주문", "Order";
    placed_at: "주문 시각", "Placed";
    order_status_placed: "진행 중", "In progress";
    order_status_completed: "완료", "Completed";
    order_status_cancelled: "취소됨", "Cancelled";
    mo_placed: "접수 대기", "Waiting for the shop";
    mo_accepted: "가게 확인", "Accepted";
    mo_rejected: "가게 거절", "Refused by the shop";
    mo_ready: "준비 완료", "Ready";
    mo_picked_up: "배송 중", "On its way";
    mo_delivered: "배달 완료", "Delivered";
    mo_collected: "수령 완료", "Collected";
    handed_to_shopper: "손님에게 전달", "Handed to the shopper";
    mo_cancelled: "취소", "Cancelled";
    mo_expired: "시간 초과", "Expired";
    mo_failed: "배송 실패", "Delivery failed";
    ordered: "주문", "ordered";
    weighed: "계량", "weighed";
    delivery_window: "배송 시간", "Delivery window";
    courier_eta: "기사님 도착 예정", "Courier expected";
    not_planned: "배송 경로는 주문 마감 후 정해집니다.", "The route is planned when orders close.";
    authorized: "승인 금액", "Held on payment";
    charged: "최종 결제 금액", "Final charge";
    not_charged_yet: "계량과 준비가 끝나면 확정됩니다.", "Set once every shop has weighed and packed.";
    refunds: "환불", "Refunds";
    reason: "사유", "Reason";
    live_note: "이 페이지는 자동으로 새로고침됩니다.", "This page updates by itself.";
    history: "기록", "History";
    sign_in_title: "로그인", "Sign in";
    sign_up_title: "회원가입", "Create an account";
    email: "이메일", "Email";
    password: "비밀번호", "Password";
    password_help: "8자 이상", "At least 8 characters";
    name: "이름", "Name";
    role: "가입 유형", "I am a";
    role_shopper: "구매자", "Shopper";
    role_merchant: "가게 주인", "Shop owner";
    role_courier: "배송 기사", "Courier";
    role_coordinator: "코디네이터", "Coordinator";
    role_admin: "운영자", "Admin";
    account_title: "내 계정", "My account";
    admin_title: "운영", "Admin";
    make_account: "계정 만들기", "Make an account";
    make_account_help: "코디네이터와 운영자는 스스로 가입할 수 없어 여기서 만듭니다. 첫 비밀번호는 당사자에게 따로 전하고, 당사자는 내 계정에서 바꿉니다.", "Coordinators and admins cannot sign themselves up: make their accounts here. Hand the first password over yourself; they change it on their account page.";
    first_password: "첫 비밀번호 (8자 이상)", "First password (8 characters or more)";
    account_role: "역할", "Role";
    account_made: "계정을 만들었습니다.", "The account is made.";
    agencies_title: "지원기관과 코디네이터", "Agencies and their coordinators";
    coordinators: "코디네이터", "Coordinators";
    none_yet: "아직 없음", "none yet";
    assign_coordinator: "코디네이터 배정 (계정 이메일)", "Assign a coordinator (account email)";
    assign: "배정", "Assign";
    coordinator_assigned: "코디네이터를 배정했습니다.", "The coordinator is assigned.";
    err_no_account: "그 이메일의 계정이 없습니다.", "No account has that email.";
    err_not_coordinator: "코디네이터 계정이 아닙니다.", "That is not a coordinator account.";
    save_name: "이름 저장", "Save the name";
    name_changed: "이름을 바꿨습니다.", "The name is changed.";
    change_password: "비밀번호 바꾸기", "Change the password";
    change_password_help: "비밀번호를 바꾸면 이 브라우저를 뺀 다른 기기와 앱에서는 모두 로그아웃됩니다.", "Changing it signs you out everywhere else (other browsers and apps).";
    current_password: "지금 비밀번호", "Current password";
    new_password: "새 비밀번호 (8자 이상)", "New password (8 characters or more)";
    password_changed: "비밀번호를 바꿨습니다. 다른 기기에서는 로그아웃되었습니다.", "The password is changed; other devices are signed out.";
    err_current_password: "지금 비밀번호가 맞지 않습니다.", "That is not the current password.";
    err_new_password: "새 비밀번호는 8자 이상 128자 이하이고 지금 비밀번호와 달라야 합니다.", "The new password needs 8 to 128 characters and must differ from the current one.";
    no_account: "계정이 없으신가요?", "No account yet?";
    have_account: "이미 계정이 있으신가요?", "Already have an account?";
    bad_credentials: "이메일 또는 비밀번호가 맞지 않습니다.", "The email or password is wrong.";
    too_many_attempts: "로그인 시도가 너무 많습니다. 잠시 후 다시 시도하세요.", "Too many sign-in attempts; try again later.";
    email_taken: "이미 가입된 이메일입니다.", "An account with this email exists already.";
    sign_in_to_continue: "계속하려면 로그인하세요.", "Sign in to continue.";
    error_title: "문제가 생겼습니다", "Something went wrong";
    not_found_title: "찾을 수 없습니다", "Not found";
    not_found_body: "요청한 페이지가 없거나 볼 수 없는 페이지입니다.", "This page does not exist, or is not yours to see.";
    forbidden_title: "권한이 없습니다", "Not allowed";
    forbidden_body: "이 페이지는 다른 역할의 계정만 볼 수 있습니다.", "This page is for another role.";
    csrf_body: "양식이 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도하세요.", "This form has expired; reload the page and try again.";
    internal_body: "잠시 후 다시 시도하세요.", "Please try again in a moment.";
    too_many_checkouts: "주문 시도가 너무 많습니다. 잠시 후 다시 시도하세요.", "Too many checkouts in a minute; try again shortly.";
    back_home: "홈으로", "Back home";
    err_required: "입력해 주세요.", "Please fill this in.";
    err_email: "올바른 이메일 주소를 입력하세요.", "Enter a valid email address.";
    err_password: "비밀번호는 8자 이상 128자 이하입니다.", "Passwords are 8 to 128 characters.";
    err_name: "이름은 1자 이상 100자 이하입니다.", "Names are 1 to 100 characters.";
    err_quantity: "수량을 1 이상의 숫자로 입력하세요.", "Enter a quantity of 1 or more.";
    err_slot: "배송 시간을 고르세요.", "Choose a delivery slot.";
    err_slot_closed: "이 배송 시간은 마감되었거나 자리가 없습니다. 다른 시간을 고르세요.", "This slot is closed or full; choose another.";
    err_address: "받는 주소를 200자 이내로 입력하세요.", "Enter the delivery address (up to 200 characters).";
    err_location: "지도에서 배송 지역 안의 위치를 고르세요.", "Pick a place inside the delivery area on the map.";
    err_out_of_stock: "재고가 부족한 상품이 있습니다. 장바구니에서 수량을 줄여 주세요.", "Some goods are out of stock; lower their quantity in the basket.";
    err_consortium: "이 협업체는 지금 판매하지 않습니다.", "This consortium is not selling now.";
    err_payment: "결제가 거절되었습니다. 다른 방법을 고르세요.", "The payment was declined; choose another way to pay.";
    err_generic: "입력 내용을 확인해 주세요.", "Please check what you entered.";
    nav_shop: "내 가게", "My shop";
    nav_courier: "내 배송", "My rides";
    payouts_title: "정산", "Payouts";
    owed: "정산 예정", "Owed to the shop";
    paid: "지급 완료", "Paid out";
    awaiting_transfer: "계좌 연결을 기다리는 금액", "Waiting for the account";
    transfers: "카드 판매 송금", "Card-sale transfers";
    no_transfers: "아직 송금이 없습니다.", "No transfers yet.";
    payout_account: "정산 계좌 (Stripe)", "Payout account (Stripe)";
    account_ready: "송금을 받을 수 있습니다.", "Ready to receive transfers.";
    account_pending: "Stripe 확인이 끝나면 송금을 받을 수 있습니다.", "Transfers start once Stripe has verified the account.";
    account_none: "아직 연결된 계좌가 없습니다.", "No account connected yet.";
    connect_account: "Stripe에서 계좌 연결하기", "Connect an account with Stripe";
    stripe_not_configured: "이 서버는 카드 결제를 받지 않아 계좌 연결이 필요 없습니다.", "This server takes no cards, so no payout account is needed.";
    back_from_stripe: "Stripe에서 돌아왔습니다.", "Back from Stripe.";
    start_batch: "배송 시작", "Start the batch";
    nav_dispatch: "배차", "Dispatch";
    nav_payouts: "정산 현황", "Payouts due";
    payouts_due_title: "지급할 곳", "Whom to pay";
    payouts_due_none: "지급할 곳이 없습니다.", "Nobody is owed anything.";
    party_shop: "가게", "Shop";
    party_network: "공동배송망", "Delivery network";
    refused_calls: "결제사가 거절한 요청", "Calls the payment provider refused";
    refused_calls_help: "돈이 장부대로 움직이지 않았습니다. 결제사에서 확인한 뒤 처리하세요.", "Money did not move as the books say; see to each at the provider.";
    refused_none: "거절된 요청이 없습니다.", "None refused.";
    call_capture: "결제 확정", "Capture";
    call_void: "승인 취소", "Void";
    call_refund: "환불", "Refund";
    nav_programme: "사업 현황", "Programme";
    promotion_price: "할인", "Sale";
    add_project_file: "사진·문서 올리기", "Add a photo or document";
    project_file: "파일 (PDF, JPEG, PNG, WebP · 10 MB 이하)", "File (PDF, JPEG, PNG, WebP, up to 10 MB)";
    packaging_avoided: "줄인 일회용 포장", "Packaging avoided";
    l_packaging: "리필 한 번이 대신하는 일회용 포장 (g)", "Single-use packaging one refill replaces (g)";
    zero_waste_delivery: "리필·공동배송", "Refills and shared delivery";
    refill_sold: "리필 판매량", "Refills sold";
    containers_reused_returned: "재사용 / 반납 용기", "Containers reused / returned";
    co2_avoided: "CO2 절감 (추정)", "CO2 avoided (estimate)";
    programme_title: "사업 현황", "Programme";
    programme_whole: "전체 사업", "Whole programme";
    by_month: "월별", "By month";
    by_week: "주별", "By week";
    download_csv: "CSV 내려받기", "Download CSV";
    online_sales: "온라인 매출", "Online sales";
    in_person_sales: "현장 매출", "In-person sales";
    visitors: "방문객", "Visitors";
    support_hours: "지원 시간", "Support hours";
    project_budget: "공동프로젝트 예산", "Project budget";
    project_spent: "집행", "Spent";
    training_hours: "코디네이터 교육", "Coordinator training";
    period: "기간", "Period";
    consortium_col: "협의체", "Consortium";
    agency_col: "지원기관", "Agency";
    total_row: "합계", "Total";
    support_title: "지원 활동", "Support work";
    record_session: "지원 활동 기록", "Record a session";
    session_kind: "종류", "Kind";
    held_on: "날짜", "Date";
    hours: "시간", "Hours";
    participants: "참여 가게", "Shops taking part";
    notes_label: "메모", "Notes";
    kind_education: "교육", "Education";
    kind_consulting: "컨설팅", "Consulting";
    kind_pr: "홍보", "PR";
    kind_marketing: "마케팅", "Marketing";
    kind_coordinator_training: "코디네이터 교육", "Coordinator training";
    recorded: "기록했습니다.", "Recorded.";
    err_support_hours: "0.25시간 단위로, 24시간 이하로 적어 주세요.", "In quarter hours, at most 24.";
    err_participants: "참여한 가게를 한 곳 이상 골라 주세요.", "Choose at least one shop that took part.";
    err_check_field: "이 값을 확인해 주세요.", "Please check this value.";
    projects_title: "공동프로젝트", "Joint projects";
    new_project: "새 공동프로젝트", "New joint project";
    project_title_label: "이름", "Title";
    project_kind: "분야", "Kind";
    budget: "예산 (원)", "Budget (won)";
    plan_label: "계획", "Plan";
    first_milestone: "첫 단계와 날짜", "First milestone and its date";
    milestone_done: "완료", "Done";
    project_planned: "계획", "Planned";
    project_running: "진행 중", "Under way";
    project_done: "완료", "Done";
    project_cancelled: "취소", "Cancelled";
    add_spending: "집행 기록", "Record spending";
    amount_won: "금액 (원)", "Amount (won)";
    spent_on: "날짜", "Date";
    what_for: "내용", "What for";
    no_projects: "아직 공동프로젝트가 없습니다.", "No joint projects yet.";
    events_title: "축제·장터", "Festivals and market days";
    stalls_label: "부스를 여는 가게", "Shops with a stall";
    save_stalls: "부스 저장", "Save stalls";
    count_visitors: "방문객 기록", "Count visitors";
    visitors_counted: "방문객 수", "Visitors counted";
    stall_title: "현장 판매", "Stall sales";
    no_stalls: "부스를 여는 축제·장터가 없습니다.", "No festival or market day with a stall of this shop.";
    sell_listing: "상품", "Item";
    sell_quantity: "수량 (개·g·ml)", "Quantity (pieces, g or ml)";
    or_amount: "또는 금액 (원)", "Or an amount (won)";
    sold_what: "판매 내용", "What was sold";
    pay_cash: "현금", "Cash";
    stall_pay_card: "카드", "Card";
    pay_gift: "지역상품권", "Gift certificate";
    record_sale: "판매 기록", "Record the sale";
    sales_so_far: "오늘의 현장 판매", "Sales at this event";
    kind_branding: "골목 브랜딩", "Alley branding";
    kind_local_tour: "로컬여행 콘텐츠", "Local-tour content";
    kind_festival: "축제", "Festival";
    kind_co_marketing: "공동 마케팅", "Co-marketing";
    kind_co_purchasing: "공동 구매", "Co-purchasing";
    kind_training: "교육", "Training";
    kind_other: "기타", "Other";
    dispatch_title: "배차 현황판", "Dispatch board";
    dispatch_choose: "배송망을 고르세요", "Choose a network";
    dispatch_none: "관리하는 배송망이 없습니다.", "You run no network.";
    network_payouts: "배송비 정산", "Delivery-fee payouts";
    network_owed: "받을 배송비", "Delivery fees owed";
    statement: "거래 내역", "Statement";
    no_statement: "아직 내역이 없습니다.", "Nothing yet.";
    entry_capture: "배송비", "Delivery fee";
    entry_refund: "환불", "Refunded";
    entry_payout: "지급", "Paid out";
    entry_sale: "판매", "Sale";
    entry_transfer: "카드 판매 송금", "Card-sale transfer";
    entry_transfer_back: "송금 회수", "Transfer reversed";
    entry_coupon: "쿠폰 (협업체 부담)", "Coupon (the consortium's cost)";
    entry_coupon_back: "쿠폰 환수", "Coupon given back";
    entry_other: "기타", "Other";
    statement_newest: "최근 내역만 보입니다.", "Only the newest lines are shown.";
    pay_by_transfer: "계좌이체로 지급 기록", "Record a bank transfer of what is owed";
    payout_recorded: "지급을 기록했습니다.", "The payout is recorded.";
    nothing_owed: "지급할 금액이 없습니다.", "Nothing is owed.";
    date: "날짜", "Date";
    show: "보기", "Show";
    replan: "다시 계획", "Plan again";
    not_planned_yet: "아직 계획이 없습니다.", "Not planned yet.";
    courier: "기사", "Courier";
    left_out_title: "경로에 들지 못한 배송", "Left out of the plan";
    give_to: "기사에게 맡기기", "Give to courier";
    turn_into_pickup: "방문 수령으로", "Make it a pick-up";
    capacity: "수용", "Capacity";
    booked: "예약", "Booked";
    shared_vs_solo: "공동 경로 / 가게별 단독", "Shared / each shop alone";
    handover_code: "전달 코드 (배달 기사님께 알려 주세요)", "Hand-over code (tell it to the courier)";
    pickup_code: "픽업 코드 (기사님께 알려 주세요)", "Pick-up code (tell it to the courier)";
    err_code_wrong: "전달 코드가 맞지 않습니다. 다시 확인하세요.", "That is not this stop's code; check it again.";
    err_code_limited: "틀린 코드가 너무 많습니다. 잠시 후 다시 시도하거나 실패로 보고하세요.", "Too many wrong codes; wait a while, or report the stop as failed.";
    err_photo_not_allowed: "이 배송망에서는 사진으로 완료할 수 없습니다. 코드를 받거나 실패로 보고하세요.", "This network takes only the code; get it, or report the stop as failed.";
    courier_title: "배송 묶음", "Route batches";
    courier_none: "배정된 배송 묶음이 없습니다.", "No route batch is yours yet.";
    batch_title: "배송 경로", "Route";
    batch_planned: "대기", "Planned";
    batch_started: "진행 중", "Under way";
    batch_done: "완료", "Done";
    stops_done: "처리한 정류장", "stops done";
    stop_pickup: "픽업", "Pick-up";
    stop_dropoff: "배달", "Drop-off";
    stop_pending: "대기", "To do";
    stop_completed: "완료", "Done";
    stop_failed: "실패", "Failed";
    vehicle_on_foot: "도보", "on foot";
    vehicle_cargo_bike: "화물 자전거", "cargo bike";
    vehicle_e_scooter: "전동 스쿠터", "e-scooter";
    vehicle_small_van: "소형 밴", "small van";
    couriers_title: "기사님", "Couriers";
    couriers_link: "기사님 관리", "Couriers";
    couriers_none: "아직 이 배송망의 기사님이 없습니다.", "No courier rides for this network yet.";
    courier_withdraw: "배송망에서 빼기", "Withdraw";
    courier_sign_on: "기사님 등록", "Sign a courier on";
    courier_sign_on_help: "기사님이 '배송 기사'로 가입한 이메일로 등록합니다. 다음 배차부터 경로에 들어갑니다.", "By the email of their courier account (made at sign-up); the next plan includes them.";
    courier_email: "기사님 이메일", "Courier's email";
    courier_vehicle: "이동 수단", "Vehicle";
    courier_kg: "실을 수 있는 무게 (kg)", "Carries up to (kg)";
    courier_liters: "실을 수 있는 부피 (L)", "Carries up to (litres)";
    courier_shift: "근무 시간", "Shift";
    courier_signed_on: "기사님을 등록했습니다.", "The courier is signed on.";
    courier_withdrawn: "기사님을 배송망에서 뺐습니다.", "The courier is withdrawn.";
    err_courier_email: "배송 기사로 가입한 계정의 이메일이 아닙니다.", "That is not the email of a courier account.";
    err_courier_taken: "이미 배송망에 등록된 기사님입니다.", "That courier already rides for a network.";
    err_courier_capacity: "무게는 2000kg, 부피는 10000L까지의 양수입니다.", "Weight up to 2000 kg and volume up to 10000 L, more than 0.";
    err_courier_shift: "근무는 HH:MM 형식이고 끝이 시작보다 늦어야 합니다.", "Shift times are HH:MM, the end after the start.";
    navigate: "길찾기", "Navigate";
    complete: "완료", "Done";
    proof: "확인 방법", "Proof";
    proof_code: "전달 코드", "Hand-over code";
    proof_photo: "사진으로 완료 (코드와 함께, 또는 부재중)", "Complete with a photo (with the code, or nobody home)";
    proof_code_if_given: "전달 코드 (받았으면)", "Hand-over code (if given)";
    proof_note: "메모 (놓아둔 곳)", "Note (where it was left)";
    door_phone: "연락처 (선택)", "Phone (optional)";
    door_notes: "배달 메모 (선택)", "Notes for the courier (optional)";
    door_privacy: "연락처와 메모는 배달하는 동안에만 배달원에게 보입니다.", "Your phone and notes are shown to the courier only while your delivery is under way.";
    err_contact: "연락처는 010-1234-5678처럼, 메모는 300자까지 적어 주세요.", "Give a phone such as 010-1234-5678, and notes of at most 300 characters.";
    call: "전화", "Call";
    stops_made: "완료", "Stops made";
    position_at: "위치", "Position at";
    share_position: "배달하는 동안 내 위치를 공유해 도착 예정 시각을 알립니다 (배달이 끝나면 지웁니다)", "Share my position while riding, so customers see when I arrive (forgotten once the batch is done)";
    queued_offline: "연결이 끊겨 {n}건을 휴대폰에 보관했습니다. 연결되면 자동으로 보냅니다.", "No connection: {n} kept on this phone, sent as soon as it is back.";
    door_notes_label: "메모", "Notes";
    complete_with_photo: "사진으로 완료", "Complete with the photo";
    proof_signature: "받는 분 서명으로 완료", "Complete with the recipient's signature";
    sign_here: "받는 분이 아래에 서명합니다.", "The recipient signs below.";
    sign_again: "다시 서명", "Sign again";
    containers_to_collect: "받아 올 보증금 용기", "Deposit containers to take back";
    deposit_refunded: "보증금 환불", "deposit refunded";
    took_back: "받았음", "Taken back";
    complete_with_signature: "서명으로 완료", "Complete with the signature";
    proof_value: "코드 또는 메모", "Code or note";
    fail: "실패 보고", "Report failure";
    fail_nobody_home: "부재중", "Nobody home";
    fail_wrong_address: "주소 오류", "Wrong address";
    fail_refused: "수령 거부", "Refused";
    fail_damaged: "파손", "Damaged";
    fail_shop_closed: "가게 닫힘", "Shop closed";
    err_proof: "확인 코드나 메모를 입력하세요.", "Enter the code or a note.";
    slot_no_room: "이 장바구니를 실을 자리가 없습니다", "no room left for this basket";
    err_slot_full: "이 배송 시간에는 더 실을 수 없습니다. 다른 시간을 고르세요.", "This slot's couriers cannot carry this basket any more; choose another.";
    next_slot_that_fits: "가능한 다음 배송 시간", "Next slot that can take it";
    left_out_notice: "배송 경로에 들어가지 못했습니다", "This part did not fit the delivery plan";
    left_out_help: "다음 배송 시간으로 옮기거나 가게에서 직접 찾을 수 있습니다. 코디네이터도 기사님을 더해 다시 계획할 수 있습니다.", "Move it to the next slot, or collect it at the shop; the coordinator may also add a courier and plan again.";
    move_to_next_slot: "다음 배송 시간으로 옮기기", "Move to the next slot";
    collect_instead: "가게에서 직접 찾기", "Collect it at the shop";
    cancel_order: "주문 취소", "Cancel the order";
    add_again: "이 주문 다시 담기", "Add this order to the basket again";
    added_again: "지난 주문에서 다시 담은 상품:", "Goods added again from the order:";
    not_sold_now: "지금 팔지 않아 빠진 상품:", "Not sold now, left out:";
    again_other_basket: "장바구니에 다른 협업체의 상품이 있습니다. 주문하거나 비운 뒤 다시 담으세요.", "The basket holds another consortium's goods; check out or empty it first.";
    again_nothing: "이 주문의 상품은 지금 팔지 않습니다.", "None of this order's goods is sold now.";
    again_not_selling: "이 협업체는 지금 판매하지 않습니다.", "This consortium is not selling now.";
    cancel_help: "가게가 주문을 받기 전까지 취소할 수 있습니다. 결제 보류는 바로 풀립니다.", "You can cancel until a shop accepts; the hold on your payment is released at once.";
    not_cancelled: "가게가 이미 주문을 받아 취소할 수 없습니다. 가게나 고객센터에 문의하세요.", "A shop has accepted the order, so it can no longer be cancelled here; ask the shop or support.";
    reason_too_large: "기사님 차량에 비해 너무 큼", "too large for the couriers' vehicles";
    reason_out_of_time: "배송 시간 안에 갈 수 없음", "cannot be reached within the slot";
    reason_no_capacity_left: "기사님들이 더 실을 수 없음", "the couriers could carry no more";
    reason_no_courier: "배정된 기사님 없음", "no courier on shift";
    turned_into_pickup: "가게에서 직접 찾기로 바뀌었습니다", "Now a pick-up at the shop";
    forming_title: "새 협업체 만들기", "Form a consortium";
    forming_help: "협업체를 만든 뒤 회원 가게를 받으세요. 다섯 곳 이상, 소상공인과 사회적경제기업이 함께하면 판매를 시작합니다.", "Form it, then admit its member shops: it sells with five or more, small businesses and social-economy enterprises together.";
    forming_name: "협업체 이름", "Consortium's name";
    forming_district: "자치구", "District";
    forming_network: "공동배송망", "Co-delivery network";
    forming_no_network: "없음 (방문 수령만)", "None (pick-up only)";
    forming_button: "협업체 만들기", "Form the consortium";
    formed: "협업체를 만들었습니다. 회원 가게를 받으세요.", "The consortium is formed: admit its member shops.";
    err_consortium_name: "이름은 1자 이상 100자 이하입니다.", "Names are 1 to 100 characters.";
    err_district: "이 기관이 맡은 자치구를 고르세요.", "Choose a district this agency runs.";
    err_network: "이 공동배송망은 없습니다.", "No such co-delivery network.";
    members_title: "회원 가게", "Member shops";
    members_link: "회원 가게 관리", "Member shops";
    members_none: "아직 회원 가게가 없습니다.", "No member shops yet.";
    members_joined: "가입", "joined";
    members_remove: "회원에서 빼기", "Remove";
    members_stops_selling: "이 가게가 빠지면 협업체는 판매를 멈춥니다.", "Without this shop the consortium stops selling.";
    members_candidates: "가입할 수 있는 가게", "Shops that could join";
    members_candidates_help: "회원 가게들에서 3km 안의 가게를 가까운 순으로 보여 줍니다. 이름으로 찾을 수도 있습니다.", "Shops within 3 km of the members, nearest first; or find one by name.";
    members_find: "가게 이름", "Shop name";
    members_find_button: "찾기", "Find";
    members_none_found: "가입할 수 있는 가게가 없습니다.", "No shop found that could join.";
    members_admit: "회원으로 받기", "Admit";
    members_elsewhere: "다른 협업체", "other consortia";
    members_history: "회원 변동", "Membership changes";
    members_history_none: "아직 변동이 없습니다.", "No changes yet.";
    members_in: "가입", "joined";
    members_out: "탈퇴", "left";
    members_added: "회원이 되었습니다", "joined the consortium";
    members_removed: "회원에서 빠졌습니다", "left the consortium";
    members_already: "이미 회원인 가게입니다.", "That shop is already a member.";
    members_gone: "이미 회원이 아닌 가게입니다.", "That shop is no longer a member.";
    members_no_such_shop: "그런 가게가 없습니다.", "No such shop.";
    shop_register_title: "가게 등록", "Register a shop";
    shop_register_link: "새 가게 등록하기", "Register a shop";
    shop_register_help: "가게를 등록하면 영업시간을 정하고 상품을 올릴 수 있습니다. 협업체의 코디네이터가 회원으로 받으면 온라인 판매가 시작됩니다.", "Once registered, set the shop's hours and add its listings. It sells online once a consortium's coordinator admits it.";
    shop_name: "가게 이름", "Shop name";
    shop_kind: "사업자 유형", "Kind of business";
    shop_address: "가게 주소", "Shop address";
    shop_place: "지도 위치", "Place on the map";
    shop_place_help: "지도에서 가게 자리를 누르세요. 기사님이 찾아가는 곳입니다.", "Tap the shop's spot on the map: couriers come here.";
    shop_register_button: "등록하기", "Register";
    shop_registered: "가게가 등록되었습니다. 영업시간을 정해 주세요. 협업체 코디네이터가 회원으로 받으면 판매가 시작됩니다.", "The shop is registered. Set its hours; it sells once a consortium's coordinator admits it.";
    shop_not_member: "아직 어느 협업체의 회원도 아니어서 손님이 주문할 수 없습니다. 지역 지원기관의 코디네이터에게 가입을 요청하세요.", "Not yet a member of any consortium, so shoppers cannot order here. Ask your area's support agency's coordinator to admit the shop.";
    err_shop_address: "가게 주소를 200자 이내로 입력하세요.", "Enter the shop's address (up to 200 characters).";
    err_shop_location: "지도에서 가게 위치를 고르세요.", "Pick the shop's place on the map.";
    claim_title: "문제가 있나요?", "Something wrong?";
    claim_help: "상품이 상했거나 빠졌거나 설명과 다르면 가게에 알려 주세요.", "Damaged, missing or not as described? Tell the shop.";
    claim_until: "접수 마감", "Claims taken until";
    claim_reason: "무슨 문제인가요?", "What went wrong?";
    claim_asked: "돌려받고 싶은 금액 (원, 비워 두면 가게가 정합니다)", "Amount to get back (won; leave empty for the shop to decide)";
    claim_at_most: "최대", "at most";
    claim_send: "가게에 알리기", "Tell the shop";
    claim_sent: "가게에 알렸습니다. 가게의 답을 이 페이지에서 볼 수 있습니다.", "The shop has been told; its answer will show on this page.";
    claim_open: "가게 답변 대기", "Waiting for the shop";
    claim_refunded: "환불됨", "Refunded";
    claim_declined: "거절됨", "Declined";
    claim_asked_label: "요청", "asked";
    claim_answer_label: "가게 답변", "Shop's answer";
    claim_too_much: "환불할 수 있는 금액보다 많습니다.", "That is more than can be refunded.";
    claim_too_late: "접수 기간이 지났습니다.", "Claims for this delivery are closed.";
    claim_waiting: "이미 가게의 답을 기다리는 문의가 있습니다.", "A claim is already waiting for the shop's answer.";
    claim_not_paid: "다른 가게가 아직 주문을 처리 중이어서 결제가 끝나지 않았습니다. 결제가 끝나면 알려 주세요.", "Another shop is still deciding, so the payment is not taken yet; tell the shop once it is.";
    claim_reason_needed: "무슨 문제인지 500자 이내로 적어 주세요.", "Say what went wrong (up to 500 characters).";
    claims_title: "손님 문의", "Shoppers' claims";
    claims_waiting: "가게의 답을 기다리는 손님 문의", "Claims waiting for a shop's answer";
    claims_waiting_none: "답을 기다리는 문의가 없습니다.", "No claim is waiting.";
    claims_waiting_help: "오래된 것부터. 가게가 답하지 않으면 주문 페이지에서 환불할 수 있습니다.", "Oldest first. Where a shop does not answer, refund from the order's page.";
    support_refund_title: "환불 (운영자)", "Refund (support)";
    support_refund_whole: "주문 전체 (배송비 포함)", "The whole order (delivery fee included)";
    support_refund_amount: "금액 (원, 비워 두면 환불 가능한 전부)", "Amount (won; empty for all that is refundable)";
    support_refund_reason: "사유 (손님에게 보입니다)", "Reason (the shopper reads it)";
    support_refund_button: "환불하기", "Refund";
    support_refunded: "환불했습니다.", "Refunded.";
    support_not_captured: "아직 결제가 끝나지 않아 환불할 수 없습니다.", "The payment is not taken yet, so nothing can be refunded.";
    claim_refund_amount: "환불 금액 (원)", "Refund (won)";
    claim_answer_note: "답변 (거절할 때는 꼭 적어 주세요)", "Answer (needed to decline)";
    claim_refund: "환불하기", "Refund";
    claim_decline: "거절하기", "Decline";
    claim_refundable: "환불 가능", "refundable";
    claim_answered: "문의에 답했습니다.", "The claim is answered.";
    claim_already_answered: "이미 답한 문의입니다.", "That claim was answered already.";
    claim_decline_needs_answer: "거절할 때는 이유를 적어 주세요.", "Say why when declining.";
    claim_order: "주문", "Order";
    shop_choose: "관리할 가게를 고르세요", "Choose a shop to manage";
    shop_none: "등록된 가게가 없습니다.", "You have no shop yet.";
    board_title: "주문 현황판", "Order board";
    board_live: "새 주문이 오면 소리와 함께 바로 나타납니다.", "New orders appear here at once, with a sound.";
    col_new: "새 주문", "New";
    col_accepted: "접수", "Accepted";
    col_weighed: "계량 완료", "Weighed";
    col_ready: "준비 완료", "Ready";
    col_handed: "전달", "Handed over";
    board_empty: "없음", "None";
    accept: "접수", "Accept";
    refuse: "거절", "Refuse";
    refuse_reason: "거절 사유", "Reason";
    refuse_sold_out: "품절", "Sold out";
    refuse_closing: "영업 종료", "Closing";
    refuse_cannot_deliver: "배송 불가", "Cannot deliver";
    refuse_other: "기타", "Other";
    refuse_note: "메모 (기타일 때)", "Note (for other)";
    mark_ready: "준비 완료", "Mark ready";
    ready_after_approval: "손님이 추가 금액에 답하면 준비 완료할 수 있어요.", "You can mark it ready once the shopper answers about the extra amount.";
    weigh: "계량하기", "Weigh";
    pickup_at_shop: "방문 수령", "Pick-up at the shop";
    courier_due: "기사님 도착", "Courier due";
    weigh_title: "계량", "Weighing";
    weigh_help: "정량(순중량)을 입력하거나, 총중량과 용기 무게를 입력하세요.", "Enter the net amount, or the gross amount and the container's tare.";
    net: "순중량", "Net";
    gross: "총중량", "Gross";
    tare: "용기", "Tare";
    estimate: "예상", "Estimate";
    within_tolerance: "승인 범위 안", "Within the authorisation";
    over_tolerance: "승인 범위를 넘습니다", "Over the authorisation";
    up_to: "최대", "up to";
    save_weighing: "계량 저장", "Save the weighing";
    err_weight: "순중량 또는 총중량·용기 무게를 1 이상으로 입력하세요 (총중량은 용기보다 무거워야 합니다).", "Enter a net amount, or a gross amount heavier than the tare.";
    cut_to_authorised: "승인된 양으로 줄이기", "Cut to the authorised amount";
    err_over_authorization_ask: "결제 승인 금액을 넘습니다. 승인된 양으로 줄이거나, 더 담은 만큼 손님께 승인을 요청하세요.", "That is over what the payment holds: cut the line to the authorised amount, or ask the shopper to approve the difference.";
    ask_shopper: "손님께 승인 요청", "Ask the shopper to approve";
    weight_weighed_extra: "계량 결과 결제 승인 금액보다 더 나왔습니다", "The shop weighed more than your payment holds";
    approval_waiting: "손님 승인 대기", "Waiting for the shopper";
    approval_until: "까지", "until";
    approval_approved: "손님이 승인함", "Approved by the shopper";
    approval_confirm_card: "카드 추가 승인 대기", "Waiting for the card to confirm";
    approval_declined: "손님이 거절: 줄여 담기", "Declined: cut to";
    approval_lapsed: "응답 없음: 줄여 담기", "No answer: cut to";
    approve_extra: "더 내고 받기", "Approve and pay";
    decline_extra: "승인된 양만 받기", "Decline, keep to";
    approval_more: "추가 금액", "More";
    approval_closed: "이미 답했거나 가게의 대기 시간이 지났습니다. 승인된 양만 담습니다.", "Already answered, or the shop's waiting time is over: the line keeps to what was authorised.";
    shop_waits: "계량 승인 대기 시간(분)", "Waiting for a weighing approval (minutes)";
    err_approval_wait: "1분에서 180분 사이로 적어 주세요.", "Give 1 to 180 minutes.";
    listings_title: "상품 관리", "Listings";
    tab_all: "전체", "All";
    tab_active: "판매 중", "On sale";
    tab_draft: "임시 저장", "Drafts";
    tab_archived: "보관됨", "Archived";
    status_draft: "꺼짐", "Off";
    status_archived: "보관", "Archived";
    turn_on: "켜기", "Turn on";
    turn_off: "끄기", "Turn off";
    save_stock: "재고 저장", "Save stock";
    stock_saved: "재고를 저장했습니다.", "Stock saved.";
    err_stock: "재고는 0 이상의 숫자여야 합니다.", "Stock must be a number of 0 or more.";
    new_listing: "새 상품 등록", "New listing";
    edit_listing: "상품 수정", "Edit listing";
    l_photos: "사진", "Photos";
    photo_hint: "JPEG, PNG, WebP 사진 한 장에 10MB까지, 상품마다 8장까지 올릴 수 있습니다. 위치 정보 같은 사진 속 정보는 지우고 저장합니다.", "JPEG, PNG or WebP, up to 10 MB a photo and 8 a listing. What the camera wrote into it (its location too) is removed.";
    photo_add: "사진 올리기", "Upload photo";
    photo_delete: "사진 삭제", "Delete photo";
    err_photo_type: "JPEG, PNG, WebP 사진만 올릴 수 있습니다.", "Only JPEG, PNG or WebP photos can be uploaded.";
    err_photo_size: "사진이 10MB보다 큽니다.", "The photo is larger than 10 MB.";
    err_photo_count: "상품마다 사진은 8장까지입니다. 한 장을 지우고 올려 주세요.", "A listing has at most 8 photos; delete one first.";
    err_photo_missing: "올릴 사진 파일을 골라 주세요.", "Choose a photo file to upload.";
    edit: "수정", "Edit";
    l_title: "상품명", "Title";
    l_description: "설명", "Description";
    l_category: "분류", "Category";
    l_price: "가격 (원)", "Price (won)";
    l_unit: "판매 단위", "Sold by";
    l_unit_quantity: "가격 기준 수량 (예: 100 g에 3,500원이면 100)", "Price per quantity (100 for 3,500 won per 100 g)";
    l_stock: "재고 (판매 단위로)", "Stock (in the unit sold)";
    l_refill: "리필 상품 (손님 용기에 무게로 판매)", "Refill good (weighed into a container)";
    l_container: "용기", "Container";
    container_none: "용기 없음", "No container";
    container_byo: "손님 용기", "The shopper's own";
    l_deposit: "보증금 (원)", "Deposit (won)";
    l_on_sale: "바로 판매하기 (끄면 임시 저장)", "On sale now (off: saved as a draft)";
    unit_name_piece: "개수", "Pieces";
    unit_name_gram: "무게 (g)", "Weight (g)";
    unit_name_ml: "부피 (ml)", "Volume (ml)";
    save_listing: "상품 저장", "Save listing";
    listing_saved: "상품을 저장했습니다.", "Listing saved.";
    err_listing_title: "상품명을 1~120자로 입력하세요.", "A title of 1 to 120 characters.";
    err_whole_number: "0 이상의 정수로 입력하세요.", "A whole number, 0 or more.";
    err_price: "가격과 기준 수량을 확인하세요 (가격 0원 이상, 기준 수량 1 이상).", "Check the price and its quantity (price 0 or more, quantity 1 or more).";
    err_container: "용기는 리필 상품에만 정할 수 있고, 보증금 용기는 보증금이 필요합니다.", "Only refill goods have a container, and a deposit container needs its deposit.";
    err_listing_form: "입력한 내용을 확인하세요.", "Please check the form.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_is_the_default_and_english_is_taken_when_preferred() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::from_accept_language(&headers), Lang::Ko);
        headers.insert(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap());
        assert_eq!(Lang::from_accept_language(&headers), Lang::En);
        headers.insert(
            header::ACCEPT_LANGUAGE,
            "ko-KR,ko;q=0.9,en;q=0.8".parse().unwrap(),
        );
        assert_eq!(Lang::from_accept_language(&headers), Lang::Ko);
    }

    #[test]
    fn the_two_languages_differ() {
        assert_ne!(KO.nav_basket, EN.nav_basket);
        assert_eq!(Lang::Ko.other(), Lang::En);
    }
}
