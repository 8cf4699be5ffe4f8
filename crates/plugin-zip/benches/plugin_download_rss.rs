// Owns: the memory benchmark of a plugin download — a generated 100 MiB valid plugin ZIP
// served from loopback, fetched and checked, peak RSS measured. Must not: run in `cargo test`.
//
// cargo bench -p plugin-zip --bench plugin_download_rss     (Linux: reads /proc/self/status; BENCH_ZIP_MIB)

use std::io::{Seek, Write};
use std::path::Path;
use std::time::Instant;

use plugin_zip::{
    download_plugin, ArchiveLimits, CancellationToken, DownloadOptions, ValidateOptions,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const MIB: u64 = 1024 * 1024;

const VERSION_PHP: &str = "<?php\ndefined('MOODLE_INTERNAL') || die;\n\n\
    $plugin->version   = 2022081901;\n$plugin->release   = 2022081901;\n\
    $plugin->requires  = 2017051500;\n$plugin->component = 'auth_userkey';\n\
    $plugin->maturity  = MATURITY_STABLE;\n$plugin->supported = [33, 401];\n";

/// Writes auth_userkey with an incompressible `blob_mib` MiB file, streaming (1 MiB in memory).
fn write_plugin(path: &Path, blob_mib: u64) -> Result<u64, String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
    let text = SimpleFileOptions::default();
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(blob_mib >= 4096);
    let e = |e: zip::result::ZipError| e.to_string();
    for dir in [
        "userkey/",
        "userkey/lang/",
        "userkey/lang/en/",
        "userkey/pix/",
    ] {
        zip.add_directory(dir, text).map_err(e)?;
    }
    for (name, content) in [
        ("userkey/version.php", VERSION_PHP),
        ("userkey/auth.php", "<?php\nclass auth_plugin_userkey {}\n"),
        (
            "userkey/lang/en/auth_userkey.php",
            "<?php\n$string['pluginname'] = 'User key';\n",
        ),
    ] {
        zip.start_file(name, text).map_err(e)?;
        zip.write_all(content.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    zip.start_file("userkey/pix/blob.bin", stored).map_err(e)?;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut chunk = vec![0u8; MIB as usize];
    for _ in 0..blob_mib {
        for byte in chunk.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = (state >> 24) as u8;
        }
        zip.write_all(&chunk).map_err(|e| e.to_string())?;
    }
    let mut writer = zip.finish().map_err(e)?;
    writer.flush().map_err(|e| e.to_string())?;
    writer.stream_position().map_err(|e| e.to_string())
}

/// `VmHWM` (peak resident set) and `VmRSS` of this process, in KiB.
fn memory_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// Serves the file to every request, streamed from disk (its pages are cache, not this
/// process's memory).
async fn serve(path: std::path::PathBuf, size: u64) -> Result<std::net::SocketAddr, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let path = path.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let _ = sock.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: {size}\r\n\
                     Content-Disposition: attachment; filename=\"auth_userkey.zip\"\r\nConnection: close\r\n\r\n"
                );
                let Ok(mut file) = tokio::fs::File::open(&path).await else {
                    return;
                };
                if sock.write_all(head.as_bytes()).await.is_ok() {
                    let _ = tokio::io::copy(&mut file, &mut sock).await;
                }
                let _ = sock.shutdown().await;
            });
        }
    });
    Ok(addr)
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let blob_mib: u64 = std::env::var("BENCH_ZIP_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let zip_path = dir.path().join("served.zip");
    let size = write_plugin(&zip_path, blob_mib)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let http = moodle_ws::build_http_client(&moodle_ws::HttpConfig::default())
        .map_err(|e| e.to_string())?;
    let addr = runtime.block_on(serve(zip_path, size))?;
    // Forget the peak of the set-up above (Linux ≥ 4.0): measure the download alone.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let (hwm_before, rss_before) = memory_kib().ok_or("no /proc/self/status (Linux only)")?;

    let options = DownloadOptions {
        max_bytes: size + MIB,
        validate: ValidateOptions {
            limits: ArchiveLimits {
                max_uncompressed_total: size + MIB,
                ..ArchiveLimits::default()
            },
            ..ValidateOptions::default()
        },
        ..DownloadOptions::default()
    };
    let url =
        url::Url::parse(&format!("http://{addr}/auth_userkey.zip")).map_err(|e| e.to_string())?;
    let dest = dir.path().join("downloads");
    let started = Instant::now();
    let outcome = runtime
        .block_on(download_plugin(
            &http,
            &url,
            &dest,
            &options,
            &CancellationToken::new(),
            |_| {},
        ))
        .map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let (hwm_after, rss_after) = memory_kib().ok_or("no /proc/self/status")?;
    let saved = outcome
        .saved_to
        .as_ref()
        .ok_or_else(|| format!("the plugin was refused: {:?}", outcome.verdict))?;
    let kept = std::fs::metadata(saved).map_err(|e| e.to_string())?.len();
    if kept != size {
        return Err(format!("saved {kept} bytes of {size}"));
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "downloaded and validated a {:.1} MiB plugin ZIP in {seconds:.2} s ({:.0} MiB/s), verdict: {:?}",
        size as f64 / MIB as f64,
        size as f64 / MIB as f64 / seconds,
        outcome.verdict.status
    );
    for problem in &outcome.verdict.problems {
        println!(
            "  {:?} {:?}: {}",
            problem.severity, problem.code, problem.message
        );
    }
    println!(
        "VmRSS {:.1} → {:.1} MiB; peak reset before the download: {}",
        mib(rss_before),
        mib(rss_after),
        if reset {
            "yes"
        } else {
            "no (growth is a lower bound)"
        }
    );
    println!(
        "peak RSS growth: {:.1} MiB (VmHWM before {:.1} MiB, after {:.1} MiB)",
        mib(hwm_after.saturating_sub(hwm_before)),
        mib(hwm_before),
        mib(hwm_after)
    );
    Ok(())
}
