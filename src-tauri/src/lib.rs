//! SIS Moodle Setup, the desktop wizard: Tauri commands that are one-line adapters over
//! the library crates, the app state they share, and the TypeScript bindings generated for the
//! UI. Owns: the commands, the app's state, the watch on the desktop (tray, notifications).
//! Must not: judge Moodle's answers or change a site itself (the library crates do).

pub mod admin;
pub mod bindings;
pub mod checked;
mod commands;
mod desktop;
pub mod error;
mod sign_in_window;
pub mod state;
pub mod watch_service;

use tauri::{Builder, Runtime};

pub use error::AppError;
pub use state::AppState;

/// Adds the app's state and commands to a builder; tests pass `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::profiles::list_profiles,
            commands::profiles::last_profile,
            commands::profiles::create_profile,
            commands::profiles::save_profile,
            commands::profiles::rename_profile,
            commands::profiles::duplicate_profile,
            commands::profiles::delete_profile,
            commands::secrets::keyring_status,
            commands::secrets::use_session_secrets,
            commands::secrets::set_token,
            commands::secrets::clear_token,
            commands::secrets::token_state,
            commands::secrets::reveal_token,
            commands::profiles::get_profile,
            commands::diagnose::normalize_url,
            commands::diagnose::diagnose_profile,
            commands::diagnose::prove_key_lifetime,
            commands::diagnose::report_markdown,
            commands::plugins::fetch_plugins,
            commands::plugins::cancel_plugin_fetch,
            commands::plugins::reveal_in_folder,
            commands::sis::sis_form,
            commands::sis::sis_save,
            commands::sis::sis_forget_password,
            commands::demo::start_demo,
            commands::demo::demo_site,
            commands::demo::demo_sis,
            commands::demo::demo_tokens,
            commands::demo::demo_audit,
            commands::demo::set_demo_site,
            commands::setup::setup_overview,
            commands::setup::setup_sign_in,
            commands::setup::setup_cancel_sign_in,
            commands::setup::setup_sign_out,
            commands::setup::setup_plan,
            commands::setup::setup_apply,
            commands::setup::setup_undo,
            commands::setup::start_admin_replay,
            commands::setup::admin_replay_misses,
            commands::system::ui_ready,
            commands::watch::school_summaries,
            commands::watch::check_all_schools,
            commands::watch::set_watch,
            commands::watch::school_history,
            commands::watch::watch_now,
            commands::system::app_version,
            commands::system::step_catalog,
            commands::system::required_functions,
            commands::system::open_external,
            commands::system::copy_text,
            commands::system::save_report,
        ])
}

/// Starts the desktop app.
pub fn run() {
    let state = match AppState::from_environment() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("SIS Moodle Setup could not start: {e}");
            std::process::exit(2);
        }
    };
    let app = build_app(
        tauri::Builder::default()
            .plugin(tauri_plugin_dialog::init())
            .plugin(tauri_plugin_notification::init()),
        state,
    )
    .setup(|app| {
        desktop::setup(app);
        Ok(())
    })
    .on_window_event(desktop::on_window_event);
    if let Err(e) = app.run(tauri::generate_context!()) {
        eprintln!("SIS Moodle Setup stopped: {e}");
        std::process::exit(1);
    }
}
