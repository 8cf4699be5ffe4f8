// Owns: plugin ZIPs built in code for tests, good and hostile, with the zip crate's writer.
// Must not: read fixture files from disk or be compiled outside tests.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The version.php of auth_userkey release 2022081901, as openSIS ships it.
pub const AUTH_USERKEY_VERSION_PHP: &str = r#"<?php
// This file is part of Moodle - http://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.

/**
 * Version information
 *
 * @package    auth_userkey
 * @copyright  2016 Dmitrii Metelkin (dmitriim@catalyst-au.net)
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die;

$plugin->version   = 2022081901;        // The current plugin version (Date: YYYYMMDDXX).
$plugin->release   = 2022081901;        // Match release exactly to version.
$plugin->requires  = 2017051500;        // Requires this Moodle version.
$plugin->component = 'auth_userkey';    // Full name of the plugin (used for diagnostics).
$plugin->maturity  = MATURITY_STABLE;
$plugin->supported = [33, 401];
"#;

pub const LOCAL_VERSION_PHP: &str = r#"<?php
defined('MOODLE_INTERNAL') || die();

$plugin->component = 'local_opensis';
$plugin->version = 2023051000;
$plugin->requires = 2020061500;
$plugin->release = '1.2';
$plugin->maturity = MATURITY_STABLE;
"#;

pub type Entries = Vec<(String, Vec<u8>)>;

/// A plugin's entries under `root`: folders, version.php, the English language file and code.
pub fn plugin_entries(root: &str, component: &str, version_php: &str) -> Entries {
    let (kind, name) = component.split_once('_').unwrap_or((component, ""));
    let lang_file = if kind == "mod" {
        format!("{name}.php")
    } else {
        format!("{component}.php")
    };
    vec![
        (format!("{root}/"), Vec::new()),
        (
            format!("{root}/version.php"),
            version_php.as_bytes().to_vec(),
        ),
        (
            format!("{root}/lib.php"),
            b"<?php\ndefined('MOODLE_INTERNAL') || die();\n".to_vec(),
        ),
        (format!("{root}/lang/"), Vec::new()),
        (format!("{root}/lang/en/"), Vec::new()),
        (
            format!("{root}/lang/en/{lang_file}"),
            b"<?php\n$string['pluginname'] = 'Plugin';\n".to_vec(),
        ),
        (
            format!("{root}/settings.php"),
            b"<?php\ndefined('MOODLE_INTERNAL') || die();\n// Settings.\n".to_vec(),
        ),
    ]
}

pub fn auth_userkey_entries(root: &str) -> Entries {
    let mut entries = plugin_entries(root, "auth_userkey", AUTH_USERKEY_VERSION_PHP);
    entries.push((
        format!("{root}/auth.php"),
        b"<?php\nclass auth_plugin_userkey extends auth_plugin_base {}\n".to_vec(),
    ));
    entries
}

pub fn local_entries(root: &str) -> Entries {
    let mut entries = plugin_entries(root, "local_opensis", LOCAL_VERSION_PHP);
    entries.push((format!("{root}/db/"), Vec::new()));
    entries.push((
        format!("{root}/db/services.php"),
        b"<?php\n$functions = ['local_get_users' => []];\n".to_vec(),
    ));
    entries
}

/// A ZIP of `entries`, deflated; names ending in `/` become folders.
pub fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    zip_with(entries, CompressionMethod::Deflated)
}

pub fn zip_with(entries: &[(String, Vec<u8>)], method: CompressionMethod) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(method);
    for (name, content) in entries {
        if name.ends_with('/') {
            writer.add_directory(name.as_str(), options).expect("dir");
        } else {
            writer.start_file(name.as_str(), options).expect("start");
            writer.write_all(content).expect("write");
        }
    }
    writer.finish().expect("finish").into_inner()
}

pub fn good_auth_userkey() -> Vec<u8> {
    zip_of(&auth_userkey_entries("userkey"))
}

pub fn good_local_plugin() -> Vec<u8> {
    zip_of(&local_entries("opensis"))
}

/// The good auth_userkey plugin plus an incompressible file of `size` bytes.
pub fn auth_userkey_with_blob(size: usize) -> Vec<u8> {
    let mut entries = auth_userkey_entries("userkey");
    entries.push(("userkey/pix/blob.bin".into(), noise(size)));
    zip_with(&entries, CompressionMethod::Stored)
}

/// Deterministic bytes that do not compress.
pub fn noise(size: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A ZIP with a symbolic link inside the plugin folder.
pub fn with_symlink() -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for (name, content) in auth_userkey_entries("userkey") {
        if name.ends_with('/') {
            writer.add_directory(name, options).expect("dir");
        } else {
            writer.start_file(name, options).expect("start");
            writer.write_all(&content).expect("write");
        }
    }
    writer
        .add_symlink("userkey/config.php", "../../config.php", options)
        .expect("symlink");
    writer.finish().expect("finish").into_inner()
}

/// Replaces every occurrence of `from` with `to` (same length) in the raw bytes.
pub fn patch_bytes(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len(), "patches keep offsets");
    let mut at = 0;
    let mut patched = 0;
    while at + from.len() <= bytes.len() {
        if &bytes[at..at + from.len()] == from {
            bytes[at..at + from.len()].copy_from_slice(to);
            patched += 1;
            at += from.len();
        } else {
            at += 1;
        }
    }
    assert!(patched > 0, "nothing to patch");
    bytes
}

/// Sets the "encrypted" flag of the entry `name` in its local and central headers.
pub fn set_encrypted(mut bytes: Vec<u8>, name: &str) -> Vec<u8> {
    let mut patched = 0;
    for at in 0..bytes.len().saturating_sub(46) {
        let (flags_at, name_len_at, name_at) = match &bytes[at..at + 4] {
            b"PK\x03\x04" => (at + 6, at + 26, at + 30),
            b"PK\x01\x02" => (at + 8, at + 28, at + 46),
            _ => continue,
        };
        let name_len = usize::from(u16::from_le_bytes([
            bytes[name_len_at],
            bytes[name_len_at + 1],
        ]));
        if bytes.get(name_at..name_at + name_len) == Some(name.as_bytes()) {
            bytes[flags_at] |= 1;
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "local and central header patched");
    bytes
}
