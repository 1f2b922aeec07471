//! Database helpers shared by the domain crates.

use sea_orm::{
    AccessMode, ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, Iterable, ModelTrait, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    TryIntoModel,
};

/// Bound parameters one `INSERT` may carry: under SQLite's oldest limit (999).
const BOUND_PARAMETERS: usize = 900;

/// Inserts `rows` in as few statements as SQLite's limit on bound parameters allows (as many
/// rows a statement as fit in [`BOUND_PARAMETERS`] at one per column), without `RETURNING`.
pub async fn insert_in_batches<A, C>(db: &C, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (BOUND_PARAMETERS / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        A::Entity::insert_many(rows.by_ref().take(per_statement))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The models `rows` become once inserted, for a caller that shows what it wrote without
/// reading it back (an insert without `RETURNING`). Every column must be set.
pub fn models_of<A, M>(rows: &[A]) -> Result<Vec<M>, DbErr>
where
    A: TryIntoModel<M> + Clone,
    M: ModelTrait,
{
    rows.iter()
        .map(|row| row.clone().try_into_model())
        .collect()
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), so concurrent writers queue behind the busy timeout instead of
/// failing when a read-then-write transaction tries to upgrade its lock; PostgreSQL ignores
/// the mode and relies on row locks and conditional updates. (Its transactions read and
/// write by default: saying so took a round trip of its own on every write.)
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(options).await
}

/// Begins a transaction that only reads, so a view assembled from several tables is one
/// consistent snapshot (an order's status and its payment's from the same moment). PostgreSQL
/// needs `REPEATABLE READ` for that (each statement of `READ COMMITTED` sees its own moment);
/// SQLite's deferred transaction holds one snapshot from its first read.
pub async fn begin_read(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => TransactionOptions {
            isolation_level: Some(sea_orm::IsolationLevel::RepeatableRead),
            access_mode: Some(AccessMode::ReadOnly),
            ..Default::default()
        },
        _ => TransactionOptions::default(),
    };
    db.begin_with_options(options).await
}

/// The time now, to the microsecond, as both databases keep it: a row built in memory with it
/// reads back equal (PostgreSQL drops the nanoseconds; SQLite would keep them).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use sea_orm::entity::prelude::*;
    use sea_orm::{ConnectionTrait, Database, Set};

    mod note {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "note")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: i64,
            pub body: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    #[tokio::test]
    async fn more_rows_than_one_statement_holds_all_land() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        db.execute_unprepared("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            .await
            .expect("table");
        // Two columns: 450 rows a statement, so 1,000 rows take three.
        let rows = (0..1_000)
            .map(|id| note::ActiveModel {
                id: Set(id),
                body: Set(format!("note {id}")),
            })
            .collect();
        super::insert_in_batches(&db, rows).await.expect("insert");
        assert_eq!(note::Entity::find().count(&db).await.expect("count"), 1_000);
        super::insert_in_batches(&db, Vec::<note::ActiveModel>::new())
            .await
            .expect("nothing to insert");
    }
}
