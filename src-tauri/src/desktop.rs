// Owns: the app on the desktop while it watches — the watch loop, a notification when a step
// now fails or recovers (a click opens Diagnose for that school), the tray icon with the worst
// state of the watched schools, and the window that hides instead of closing while schools are
// watched (quit from the tray). Must not: decide anything (watch_service and the schools crate do).

use std::sync::{Arc, Mutex};

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Runtime, WindowEvent};
use tauri_plugin_notification::NotificationExt;

use crate::checked::SchoolChecked;
use crate::state::AppState;
use crate::watch_service;
use diagnosis::Outcome;
use schools::watch::WatchEvent;

/// The tray, when the desktop has one.
pub struct Desktop<R: Runtime> {
    tray: Mutex<Option<(TrayIcon<R>, MenuItem<R>)>>,
}

fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// The app icon with a coloured dot: green all good, amber could not tell, red a step fails.
fn badge(icon: &Image<'_>, colour: [u8; 3]) -> Image<'static> {
    let (w, h) = (icon.width(), icon.height());
    let mut rgba = icon.rgba().to_vec();
    let r = (w.min(h) as f32) * 0.22;
    let (cx, cy) = (w as f32 - r - 1.0, h as f32 - r - 1.0);
    for y in 0..h {
        for x in 0..w {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            let i = ((y * w + x) * 4) as usize;
            if d <= r {
                rgba[i..i + 4].copy_from_slice(&[colour[0], colour[1], colour[2], 255]);
            } else if d <= r + 1.5 {
                rgba[i..i + 4].copy_from_slice(&[255, 255, 255, 255]);
            }
        }
    }
    Image::new_owned(rgba, w, h)
}

/// "Watching 3 schools: 1 needs you (Lincoln High)" and the dot's colour.
fn status<R: Runtime>(app: &AppHandle<R>) -> (String, Option<[u8; 3]>) {
    let state = app.state::<AppState>();
    let watcher = state.watcher();
    let ids = watcher.watched();
    if ids.is_empty() {
        return ("Not watching any school".into(), None);
    }
    let failing: Vec<&str> = ids
        .iter()
        .filter(|id| watcher.last(id).is_some_and(|s| !s.failing.is_empty()))
        .map(String::as_str)
        .collect();
    let unknown = ids
        .iter()
        .filter(|id| {
            watcher
                .last(id)
                .is_some_and(|s| s.outcome == Outcome::CouldNotTell)
        })
        .count();
    let n = ids.len();
    let schools = if n == 1 { "school" } else { "schools" };
    if !failing.is_empty() {
        (
            format!("Watching {n} {schools}: {} need you", failing.len()),
            Some([0xb3, 0x26, 0x1e]),
        )
    } else if unknown > 0 {
        (
            format!("Watching {n} {schools}: {unknown} could not be told"),
            Some([0xd9, 0x8e, 0x04]),
        )
    } else {
        (
            format!("Watching {n} {schools}: all good"),
            Some([0x1e, 0x7a, 0x3c]),
        )
    }
}

fn refresh_tray<R: Runtime>(app: &AppHandle<R>) {
    let (text, colour) = status(app);
    let desktop = app.state::<Desktop<R>>();
    let guard = desktop.tray.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((tray, item)) = guard.as_ref() {
        let _ = item.set_text(&text);
        let _ = tray.set_tooltip(Some(format!("SIS Moodle Setup — {text}")));
        if let (Some(icon), Some(colour)) = (app.default_window_icon(), colour) {
            let _ = tray.set_icon(Some(badge(icon, colour)));
        }
    }
}

fn notify<R: Runtime>(app: &AppHandle<R>, checked: &SchoolChecked, event: &WatchEvent) {
    let (title, body) = match event {
        WatchEvent::NowFailing { step, title } => (
            format!("{}: step {step} now fails", checked.name),
            format!("{title}. Click to see what to fix."),
        ),
        WatchEvent::Recovered { step, title } => (
            format!("{}: step {step} works again", checked.name),
            format!("{title} passes again."),
        ),
    };
    let shown = app
        .notification()
        .builder()
        .title(title)
        .body(body)
        .extra("school", checked.id.clone())
        .show();
    if let Err(e) = shown {
        eprintln!("notification: {e}");
    }
}

/// On Linux the tray needs libayatana-appindicator (or libappindicator), which the tray library
/// loads at run time and panics without: without it, the app runs without a tray.
fn tray_library_present() -> bool {
    #[cfg(target_os = "linux")]
    {
        [
            "libayatana-appindicator3.so.1",
            "libappindicator3.so.1",
            "libayatana-appindicator3.so",
            "libappindicator3.so",
        ]
        .iter()
        // SAFETY: loading a system library the tray library would load itself; nothing from it
        // is called here, and it is unloaded at once.
        .any(|name| unsafe { libloading::Library::new(name) }.is_ok())
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

fn build_tray<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<(TrayIcon<R>, MenuItem<R>)> {
    let status = MenuItem::with_id(
        app,
        "status",
        "Not watching any school",
        false,
        None::<&str>,
    )?;
    let open = MenuItem::with_id(app, "open", "Open SIS Moodle Setup", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit (stops watching)", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&status, &open, &quit])?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip("SIS Moodle Setup")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    Ok((builder.build(app)?, status))
}

/// Wires the watch into the desktop: tray, notifications, the loop.
pub fn setup<R: Runtime>(app: &tauri::App<R>) {
    let handle = app.handle().clone();
    let tray = if tray_library_present() {
        match build_tray(&handle) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("no tray icon on this desktop: {e}");
                None
            }
        }
    } else {
        eprintln!("no tray icon: libayatana-appindicator3 is not installed");
        None
    };
    app.manage(Desktop {
        tray: Mutex::new(tray),
    });
    // A click on a notification opens Diagnose for its school.
    let on_click = handle.clone();
    let _ = handle.notification().on_action(move |performed| {
        let school = performed
            .notification()
            .and_then(|n| n.extra().get("school"))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        show_window(&on_click);
        if let Some(id) = school {
            let _ = on_click.emit("open-diagnose", id);
        }
    });
    let listener = handle.clone();
    app.state::<AppState>()
        .set_listener(Arc::new(move |checked| {
            for event in &checked.events {
                notify(&listener, checked, event);
            }
            let _ = listener.emit("school-checked", checked.clone());
            refresh_tray(&listener);
        }));
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        if let Err(e) = watch_service::sync_watched(&state).await {
            eprintln!("watch: {e}");
        }
        refresh_tray(&handle);
        loop {
            let now = diagnosis::clock::now_secs();
            watch_service::round(&state, now).await;
            refresh_tray(&handle);
            let pause = watch_service::pause(&state, diagnosis::clock::now_secs());
            tokio::time::sleep(std::time::Duration::from_secs(pause)).await;
        }
    });
}

/// Closing the window hides it while schools are watched and a tray can bring it back.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    // Only the main window: a sign-in window closes for good.
    if window.label() != "main" {
        return;
    }
    if let WindowEvent::CloseRequested { api, .. } = event {
        let app = window.app_handle();
        let has_tray = app
            .state::<Desktop<R>>()
            .tray
            .lock()
            .map(|t| t.is_some())
            .unwrap_or(false);
        let watching = !app.state::<AppState>().watcher().watched().is_empty();
        if has_tray && watching {
            api.prevent_close();
            let _ = window.hide();
        }
    }
}
