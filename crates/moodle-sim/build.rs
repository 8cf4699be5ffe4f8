// Packs every file under captures/ into one deflated archive that the crate compiles in, so
// the simulated Moodle works from an installed binary. The files themselves stay the data.

use std::io::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, root, out);
        } else {
            let name = path
                .strip_prefix(root)
                .expect("under captures/")
                .to_string_lossy()
                .replace('\\', "/");
            let data = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            out.push((name, data));
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    // Each entry: name length (u32 LE), name, data length (u32 LE), data.
    let mut packed = Vec::new();
    for (name, data) in &files {
        packed.extend_from_slice(&u32::try_from(name.len()).expect("short name").to_le_bytes());
        packed.extend_from_slice(name.as_bytes());
        packed.extend_from_slice(&u32::try_from(data.len()).expect("small file").to_le_bytes());
        packed.extend_from_slice(data);
    }
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&packed).expect("deflate in memory");
    let deflated = encoder.finish().expect("deflate in memory");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("captures.deflate");
    std::fs::write(&out, deflated).expect("write the archive");
}
