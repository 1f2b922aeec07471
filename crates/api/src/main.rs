use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use golmok_accounts::{NewAccount, Registration, Role};
use golmok_api::{AppState, Settings, db, telemetry};
use golmok_demo::seed;

/// Every request allocates and frees many small buffers on its worker thread. Serving
/// listings by id under load, glibc's malloc and free took about an eighth of the server's
/// time; mimalloc's per-thread free lists take less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Golmok: a local-commerce marketplace with shared delivery.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// A TOML file whose keys override config/default.toml.
    #[arg(long, global = true, env = "GOLMOK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (127.0.0.1:8080 on SQLite unless configured otherwise).
    Serve {
        /// Address to listen on, overriding `server.bind`.
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// With `redis.url` set: also take planning jobs, as `golmok worker` does. (Without
        /// Redis the server always plans its own slots.)
        #[arg(long)]
        with_worker: bool,
        /// Seed the demo data when the database is empty (never when it holds data), and
        /// print the demo sign-ins.
        #[arg(long)]
        demo: bool,
    },
    /// Take planning jobs from the Redis Stream (needs `redis.url`) until stopped; run as
    /// many as needed beside the API replicas.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load data into the database.
    Seed {
        /// Demo data: accounts of every role (password `golmok-demo`), agencies, consortia,
        /// merchants and listings.
        #[arg(long, required = true)]
        demo: bool,
    },
    /// A day of Golmok on the demo data (seeded if missing): baskets across every
    /// consortium's shops for each wave, shops packing, waves planned, couriers riding.
    Simulate {
        /// The Seoul date to simulate (its waves must still be open: today's later waves, or
        /// a later date). Tomorrow when absent.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Baskets per consortium and wave.
        #[arg(long, default_value_t = 12)]
        orders: usize,
        /// Write each wave's routing problem into this folder as JSON, for
        /// `routing-bench --problem FILE` to search again.
        #[arg(long)]
        save_problems: Option<PathBuf>,
    },
    /// Copy the embedded SQLite database to FILE, consistently, while the server runs.
    Backup {
        /// Where to write the copy; must not exist.
        file: PathBuf,
    },
    /// Replace the embedded SQLite database with a backup; refused while a server or worker
    /// has it open.
    Restore {
        /// A file written by `golmok backup`.
        file: PathBuf,
    },
    /// Print the OpenAPI document (what `/openapi.json` serves), for client generators.
    Openapi,
    /// Operator commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account of any role, for example the first admin.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// shopper, merchant, courier, coordinator or admin.
        #[arg(long)]
        role: Role,
        /// Display name; the email's local part when omitted.
        #[arg(long)]
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("golmok: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logging(&settings.log);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("golmok: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("golmok: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, mut settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            bind,
            with_worker,
            demo,
        } => {
            if let Some(bind) = bind {
                settings.server.bind = bind;
            }
            serve(settings, with_worker, demo).await
        }
        Command::Worker => {
            let _in_use = golmok_api::backup::in_use(&settings.database.url)?;
            let state = AppState::new(settings).await?;
            golmok_api::app::run_worker(state, golmok_api::shutdown_signal()).await
        }
        Command::Migrate => {
            settings.database.migrate_on_start = false;
            let conn = db::connect(&settings.database).await?;
            db::migrate(&conn).await?;
            println!(
                "database {} is up to date",
                db::redact(&settings.database.url)
            );
            Ok(())
        }
        Command::Seed { demo: _ } => seed_demo(&settings).await,
        Command::Openapi => {
            println!("{}", golmok_api::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Backup { file } => {
            settings.database.migrate_on_start = false;
            let conn = db::connect(&settings.database).await?;
            golmok_api::backup::backup(&conn, &file).await?;
            println!("backed up to {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            golmok_api::backup::restore(&settings.database.url, &file)?;
            println!(
                "restored {} from {}",
                db::redact(&settings.database.url),
                file.display()
            );
            Ok(())
        }
        Command::Simulate {
            date,
            orders,
            save_problems,
        } => simulate(settings, date, orders, save_problems).await,
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    password,
                    role,
                    name,
                },
        } => {
            let conn = db::connect(&settings.database).await?;
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
            let new = NewAccount {
                email,
                password,
                name,
                role,
            };
            let account = golmok_accounts::register(&conn, new, Registration::Privileged).await?;
            println!(
                "created {} account {} ({})",
                account.role, account.email, account.id
            );
            Ok(())
        }
    }
}

/// `golmok serve`: with `--demo`, the demo data on an empty database and its sign-ins.
async fn serve(settings: Settings, with_worker: bool, demo: bool) -> anyhow::Result<()> {
    // Held until the server stops: `golmok restore` will not replace the database under it.
    let _in_use = golmok_api::backup::in_use(&settings.database.url)?;
    let listener = tokio::net::TcpListener::bind(settings.server.bind)
        .await
        .map_err(|e| anyhow::anyhow!("listening on {}: {e}", settings.server.bind))?;
    let state = AppState::new(settings).await?;
    let address = listener.local_addr()?;
    if demo && seed::demo_on_first_start(&state.db, state.cache.as_ref()).await? {
        println!("golmok: the database was empty; seeded the demo data");
        // A few weeks of past orders for the reports; each small wave is planned quickly.
        let history = golmok_demo::simulate::Simulation {
            ordering: state.ordering(),
            travel_times: state.travel_times.as_ref(),
            plan_budget: golmok_delivery_routing::planner::PlanBudget {
                time_limit: std::time::Duration::from_millis(200),
                threads: 1,
                save_problems: None,
            },
            wrong_codes: state.login_failures.as_ref(),
        };
        let made =
            golmok_demo::history::past_days(&history, &golmok_demo::history::PAST_DAYS, 1).await?;
        println!(
            "golmok: and {made} past orders over the last {} days",
            golmok_demo::history::PAST_DAYS.iter().max().unwrap_or(&0)
        );
    }
    println!("golmok: open http://{address}/");
    if demo {
        println!(
            "golmok: demo sign-ins (password `{}`):",
            seed::DEMO_PASSWORD
        );
        for (role, email) in seed::DEMO_SIGN_INS {
            println!("  {role:<12} {email}");
        }
    }
    golmok_api::app::serve_with(state, listener, golmok_api::shutdown_signal(), with_worker).await
}

async fn seed_demo(settings: &Settings) -> anyhow::Result<()> {
    let conn = db::connect(&settings.database).await?;
    // Nothing has been read through a cache yet; `serve` builds its own at start.
    let cache = golmok_core::InProcessCache::new(1);
    let created = seed::demo(&conn, &cache).await?;
    if created.is_empty() {
        println!("demo data already present");
        return Ok(());
    }
    println!(
        "created demo data (every password is `{}`):",
        seed::DEMO_PASSWORD
    );
    for line in created {
        println!("  {line}");
    }
    Ok(())
}

/// `golmok simulate`: a day on the demo data, one line per network and wave.
async fn simulate(
    settings: Settings,
    date: Option<chrono::NaiveDate>,
    orders: usize,
    save_problems: Option<PathBuf>,
) -> anyhow::Result<()> {
    if let Some(folder) = &save_problems {
        std::fs::create_dir_all(folder)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", folder.display()))?;
    }
    let date = date.unwrap_or_else(|| {
        (chrono::Utc::now() + chrono::Duration::days(1))
            .with_timezone(&golmok_delivery_routing::network::seoul())
            .date_naive()
    });
    let state = AppState::new(settings).await?;
    let simulation = golmok_demo::simulate::Simulation {
        ordering: state.ordering(),
        travel_times: state.travel_times.as_ref(),
        plan_budget: golmok_delivery_routing::planner::PlanBudget {
            // The command runs once and ends: the folder may live as long as the process.
            save_problems: save_problems.map(|f| &*Box::leak(f.into_boxed_path())),
            ..state.settings.routing.plan_budget()
        },
        wrong_codes: state.login_failures.as_ref(),
    };
    let started = std::time::Instant::now();
    let figures = golmok_demo::simulate::day(&simulation, date, orders).await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{date}: network · wave — orders (refused: slot full), couriers, shared km vs each shop alone over the same deliveries, planning s, deliveries left out"
    );
    for f in &figures {
        let saved = if f.solo_distance_m > 0.0 {
            100.0 * (1.0 - f.distance_m / f.solo_distance_m)
        } else {
            0.0
        };
        println!(
            "  {} · {} — {} orders ({} refused), {} couriers, {:.1} km vs {:.1} km ({saved:.0}% less), {:.2} s, {} left out",
            f.network,
            f.wave,
            f.orders,
            f.refused,
            f.couriers,
            f.distance_m / 1000.0,
            f.solo_distance_m / 1000.0,
            f.planning_seconds,
            f.unassigned,
        );
    }
    let sum = |part: fn(&golmok_demo::simulate::WaveFigures) -> f64| -> f64 {
        figures.iter().map(part).sum()
    };
    let (baskets, packing, planning, riding) = (
        sum(|f| f.basket_seconds),
        sum(|f| f.packing_seconds),
        sum(|f| f.planning_seconds),
        sum(|f| f.riding_seconds),
    );
    println!(
        "{seconds:.2} s in all: checkouts {baskets:.2} s, shops accepting, weighing and packing {packing:.2} s, planning {planning:.2} s, rides {riding:.2} s, the demo data and the rest {:.2} s",
        seconds - baskets - packing - planning - riding
    );
    Ok(())
}
