//! `golmok seed --demo`: data to click through on a fresh install.

use golmok_accounts::{AccountError, NewAccount, Registration, Role};
use sea_orm::DatabaseConnection;

/// The password of every demo account. Demo data is for a laptop, never for production.
pub const DEMO_PASSWORD: &str = "golmok-demo";

/// One account per role, named after the people who use Golmok. Running it twice changes
/// nothing: existing demo accounts are kept.
pub async fn demo(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    let people = [
        ("admin@demo.golmok.kr", "플랫폼 운영자", Role::Admin),
        (
            "coordinator@demo.golmok.kr",
            "마포 지역지원기관 코디네이터",
            Role::Coordinator,
        ),
        ("merchant@demo.golmok.kr", "망원 두부가게", Role::Merchant),
        ("courier@demo.golmok.kr", "공동배송 기사", Role::Courier),
        ("shopper@demo.golmok.kr", "김민지", Role::Shopper),
    ];
    let mut created = Vec::new();
    for (email, name, role) in people {
        let new = NewAccount {
            email: email.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            name: name.to_owned(),
            role,
        };
        match golmok_accounts::register(db, new, Registration::Privileged).await {
            Ok(account) => created.push(format!("{} ({})", account.email, account.role)),
            Err(AccountError::EmailTaken) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(created)
}
