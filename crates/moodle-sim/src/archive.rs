// Owns: the captures compiled into the crate (captures/, packed by build.rs) and reading
// them back as (path, text) pairs. Must not: interpret a file; catalog.rs does.

use std::io::Read;
use std::sync::OnceLock;

static PACKED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/captures.deflate"));

/// Every file under `captures/`, by path relative to it (e.g. `4.5/good/login_url.txt`),
/// in path order.
pub(crate) fn files() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| unpack(PACKED))
}

fn unpack(deflated: &[u8]) -> Vec<(String, String)> {
    let mut packed = Vec::new();
    flate2::read::DeflateDecoder::new(deflated)
        .read_to_end(&mut packed)
        .expect("the archive build.rs wrote inflates");
    let mut files = Vec::new();
    let mut rest = packed.as_slice();
    let take = |rest: &mut &[u8]| -> Vec<u8> {
        let (len, tail) = rest.split_at(4);
        let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
        let (item, tail) = tail.split_at(len);
        *rest = tail;
        item.to_vec()
    };
    while !rest.is_empty() {
        let name = String::from_utf8(take(&mut rest)).expect("file names are UTF-8");
        let data = String::from_utf8_lossy(&take(&mut rest)).into_owned();
        files.push((name, data));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_captures_folder_is_compiled_in_byte_for_byte() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
        let mut on_disk = 0;
        for (name, text) in files() {
            let disk = std::fs::read_to_string(root.join(name)).unwrap();
            assert_eq!(&disk, text, "{name}");
            on_disk += 1;
        }
        assert!(on_disk > 1000, "only {on_disk} files");
    }
}
