use autotechjobs::configuration::{Cli, Command, UserCommand};
use autotechjobs::{cli, startup::Application, telemetry};
use clap::Parser;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(&cli.log);
    match cli.command.unwrap_or_default() {
        Command::Serve(args) => {
            let settings = args.into_settings()?;
            let app = Application::build(settings).await?;
            tracing::info!(address = %app.address(), "portal listening");
            app.run_until_stopped().await?;
        }
        Command::Migrate(args) => cli::migrate(&args.database_url).await?,
        Command::User {
            command: UserCommand::Create(args),
        } => cli::create_user(args).await?,
    }
    Ok(())
}
