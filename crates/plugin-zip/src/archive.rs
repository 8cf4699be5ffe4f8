// Owns: reading a ZIP's own central directory record by record, sniffing non-ZIP content,
// and bounded in-memory reads of entries. Must not: write entries to disk or judge a plugin.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};

/// One central-directory record, as stored (the `zip` crate folds duplicate names, so the
/// records are read here to see everything an extractor would see).
#[derive(Debug, Clone)]
pub(crate) struct RawEntry {
    /// The stored name, decoded as UTF-8 (flag bit 11) or CP437.
    pub name: String,
    /// The name from an Info-ZIP Unicode Path extra field, which some extractors prefer.
    pub unicode_name: Option<String>,
    pub flags: u16,
    pub method: u16,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub external_attributes: u32,
}

const S_IFMT: u32 = 0o170000;
const S_IFLNK: u32 = 0o120000;

impl RawEntry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }

    pub fn is_encrypted(&self) -> bool {
        self.flags & 1 != 0
    }

    /// A Unix symbolic link: `S_IFLNK` in the upper 16 bits of the external attributes.
    pub fn is_symlink(&self) -> bool {
        (self.external_attributes >> 16) & S_IFMT == S_IFLNK
    }

    /// Stored or deflated: what every extractor, PHP's included, can unpack.
    pub fn has_common_compression(&self) -> bool {
        matches!(self.method, 0 | 8)
    }

    /// Every name an extractor might use for this entry.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.unicode_name.as_deref())
    }
}

/// Why the bytes could not be read as a ZIP at all.
#[derive(Debug)]
pub(crate) enum OpenError {
    Empty,
    Html { title: Option<String> },
    NotZip { looks_like: &'static str },
    Truncated,
    Corrupt(String),
    TooManyEntries { count: u64, limit: usize },
    Io(io::Error),
}

impl From<io::Error> for OpenError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            Self::Truncated
        } else {
            Self::Io(error)
        }
    }
}

const EOCD_SIG: &[u8; 4] = b"PK\x05\x06";
const EOCD_LEN: usize = 22;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const CENTRAL_LEN: usize = 46;
const MAX_CENTRAL_DIRECTORY: u64 = 32 * 1024 * 1024;

/// Reads the entries listed in the central directory of a `len`-byte archive.
pub(crate) fn read_central_directory<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    max_entries: usize,
) -> Result<Vec<RawEntry>, OpenError> {
    if len == 0 {
        return Err(OpenError::Empty);
    }
    let head = read_at(reader, 0, len.min(4096) as usize)?;
    let tail_len = len.min((EOCD_LEN + u16::MAX as usize) as u64) as usize;
    let tail_start = len - tail_len as u64;
    let tail = read_at(reader, tail_start, tail_len)?;
    let Some(eocd_in_tail) = find_eocd(&tail) else {
        return Err(match sniff(&head) {
            Sniff::ZipStart => OpenError::Truncated,
            Sniff::Html { title } => OpenError::Html { title },
            Sniff::Other(looks_like) => OpenError::NotZip { looks_like },
        });
    };
    let eocd = &tail[eocd_in_tail..];
    let eocd_pos = tail_start + eocd_in_tail as u64;
    let disk = le16(eocd, 4);
    let cd_disk = le16(eocd, 6);
    if disk != 0 || cd_disk != 0 {
        return Err(OpenError::Corrupt(
            "it is one part of a split (multi-part) archive".into(),
        ));
    }
    let mut count = u64::from(le16(eocd, 10));
    let mut cd_size = u64::from(le32(eocd, 12));
    let mut cd_offset = u64::from(le32(eocd, 16));
    let mut cd_end = eocd_pos;
    if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        let zip64 = read_zip64_eocd(reader, eocd_pos)?;
        count = zip64.count;
        cd_size = zip64.cd_size;
        cd_offset = zip64.cd_offset;
        cd_end = zip64.position;
    }
    if count > max_entries as u64 {
        return Err(OpenError::TooManyEntries {
            count,
            limit: max_entries,
        });
    }
    if cd_size > MAX_CENTRAL_DIRECTORY {
        return Err(OpenError::Corrupt(
            "its table of contents is implausibly large".into(),
        ));
    }
    // The directory ends where the end record starts; data prepended to the archive shifts
    // every stored offset by the same amount, so only the size is trusted here.
    let Some(cd_start) = cd_end.checked_sub(cd_size) else {
        return Err(OpenError::Truncated);
    };
    if cd_offset > cd_start {
        return Err(OpenError::Truncated);
    }
    let directory = read_at(reader, cd_start, cd_size as usize)?;
    let entries = parse_central_directory(&directory, max_entries)?;
    if entries.len() as u64 != count {
        return Err(OpenError::Corrupt(format!(
            "its table of contents announces {count} entries but holds {}",
            entries.len()
        )));
    }
    Ok(entries)
}

struct Zip64End {
    count: u64,
    cd_size: u64,
    cd_offset: u64,
    position: u64,
}

fn read_zip64_eocd<R: Read + Seek>(reader: &mut R, eocd_pos: u64) -> Result<Zip64End, OpenError> {
    let corrupt = || OpenError::Corrupt("its ZIP64 end record is missing or damaged".into());
    let locator_pos = eocd_pos.checked_sub(20).ok_or_else(corrupt)?;
    let locator = read_at(reader, locator_pos, 20)?;
    if le32(&locator, 0) != ZIP64_LOCATOR_SIG {
        return Err(corrupt());
    }
    let stored_position = le64(&locator, 8);
    // The record sits right before the locator unless data was prepended to the archive.
    let position = locator_pos.checked_sub(56).ok_or_else(corrupt)?;
    let record = read_at(reader, position, 56)?;
    if le32(&record, 0) != ZIP64_EOCD_SIG || stored_position > position {
        return Err(corrupt());
    }
    Ok(Zip64End {
        count: le64(&record, 32),
        cd_size: le64(&record, 40),
        cd_offset: le64(&record, 48),
        position,
    })
}

fn parse_central_directory(data: &[u8], max_entries: usize) -> Result<Vec<RawEntry>, OpenError> {
    let corrupt =
        |what: &str| OpenError::Corrupt(format!("its table of contents is damaged ({what})"));
    let mut entries = Vec::new();
    let mut at = 0usize;
    while at < data.len() {
        if entries.len() >= max_entries {
            return Err(OpenError::TooManyEntries {
                count: entries.len() as u64 + 1,
                limit: max_entries,
            });
        }
        let record = data
            .get(at..at + CENTRAL_LEN)
            .ok_or_else(|| corrupt("short record"))?;
        if le32(record, 0) != CENTRAL_SIG {
            return Err(corrupt("bad record signature"));
        }
        let flags = le16(record, 8);
        let method = le16(record, 10);
        let mut compressed_size = u64::from(le32(record, 20));
        let mut uncompressed_size = u64::from(le32(record, 24));
        let name_len = usize::from(le16(record, 28));
        let extra_len = usize::from(le16(record, 30));
        let comment_len = usize::from(le16(record, 32));
        let external_attributes = le32(record, 38);
        let name_start = at + CENTRAL_LEN;
        let extra_start = name_start + name_len;
        let next = extra_start + extra_len + comment_len;
        let name_bytes = data
            .get(name_start..extra_start)
            .ok_or_else(|| corrupt("name runs past the end"))?;
        let extra = data
            .get(extra_start..extra_start + extra_len)
            .ok_or_else(|| corrupt("extra field runs past the end"))?;
        if next > data.len() {
            return Err(corrupt("comment runs past the end"));
        }
        let mut unicode_name = None;
        for (id, field) in extra_fields(extra) {
            match id {
                0x0001 => {
                    let mut values = field.chunks_exact(8).map(|c| le64(c, 0));
                    if uncompressed_size == 0xFFFF_FFFF {
                        uncompressed_size = values.next().ok_or_else(|| corrupt("ZIP64 size"))?;
                    }
                    if compressed_size == 0xFFFF_FFFF {
                        compressed_size = values.next().ok_or_else(|| corrupt("ZIP64 size"))?;
                    }
                }
                0x7075 if field.len() > 5 && field[0] == 1 => {
                    unicode_name = Some(String::from_utf8_lossy(&field[5..]).into_owned());
                }
                _ => {}
            }
        }
        let name = decode_name(name_bytes, flags & 0x0800 != 0);
        entries.push(RawEntry {
            unicode_name: unicode_name.filter(|u| *u != name),
            name,
            flags,
            method,
            compressed_size,
            uncompressed_size,
            external_attributes,
        });
        at = next;
    }
    Ok(entries)
}

/// `(header id, data)` pairs of an extra field block; a malformed tail is ignored.
fn extra_fields(mut extra: &[u8]) -> Vec<(u16, &[u8])> {
    let mut fields = Vec::new();
    while extra.len() >= 4 {
        let id = le16(extra, 0);
        let size = usize::from(le16(extra, 2));
        let Some(data) = extra.get(4..4 + size) else {
            break;
        };
        fields.push((id, data));
        extra = &extra[4 + size..];
    }
    fields
}

fn decode_name(bytes: &[u8], utf8: bool) -> String {
    if utf8 || bytes.is_ascii() {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    bytes
        .iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                CP437_HIGH[usize::from(b - 0x80)]
            }
        })
        .collect()
}

const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ',
    'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', 'á', 'í', 'ó', 'ú', 'ñ', 'Ñ',
    'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕',
    '╣', '║', '╗', '╝', '╜', '╛', '┐', '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦',
    '╠', '═', '╬', '╧', '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐',
    '▀', 'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', '≡', '±',
    '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

/// The end-of-central-directory record's offset in `tail`, preferring one whose comment runs
/// exactly to the end of the file.
fn find_eocd(tail: &[u8]) -> Option<usize> {
    let mut lenient = None;
    let last_start = tail.len().checked_sub(EOCD_LEN)?;
    for pos in (0..=last_start).rev() {
        if &tail[pos..pos + 4] != EOCD_SIG {
            continue;
        }
        let comment_len = usize::from(le16(tail, pos + 20));
        let end = pos + EOCD_LEN + comment_len;
        if end == tail.len() {
            return Some(pos);
        }
        if end < tail.len() && lenient.is_none() {
            lenient = Some(pos);
        }
    }
    lenient
}

/// What the first bytes of a file look like.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Sniff {
    ZipStart,
    Html { title: Option<String> },
    Other(&'static str),
}

pub(crate) fn sniff(head: &[u8]) -> Sniff {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x07\x08") {
        return Sniff::ZipStart;
    }
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let lower = trimmed.to_ascii_lowercase();
    let html_start = [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<!--",
        "<meta",
        "<title",
    ]
    .iter()
    .any(|p| lower.starts_with(p));
    if html_start || lower.contains("<html") {
        return Sniff::Html {
            title: html_title(trimmed),
        };
    }
    let looks_like = if head.starts_with(b"\x1f\x8b") {
        "a gzip or .tar.gz archive"
    } else if head.starts_with(b"Rar!") {
        "a RAR archive"
    } else if head.starts_with(b"7z\xbc\xaf\x27\x1c") {
        "a 7-Zip archive"
    } else if head.starts_with(b"%PDF") {
        "a PDF document"
    } else if lower.starts_with("<?php") {
        "a PHP file"
    } else if lower.starts_with('{') || lower.starts_with('[') {
        "a JSON message (often an error answer from a server)"
    } else if lower.starts_with("<?xml") {
        "an XML document"
    } else if looks_like_text(head) {
        "a plain text file"
    } else {
        "a file of an unknown type"
    };
    Sniff::Other(looks_like)
}

fn looks_like_text(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(text) => text.chars().all(|c| !c.is_control() || c.is_whitespace()),
        // The head may cut a multi-byte character at its end.
        Err(e) => e.error_len().is_none() && looks_like_text(&head[..e.valid_up_to()]),
    }
}

fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let content_start = open + lower[open..].find('>')? + 1;
    let content_end = content_start + lower[content_start..].find("</title")?;
    let title: String = text
        .get(content_start..content_end)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if title.is_empty() {
        return None;
    }
    Some(title.chars().take(80).collect())
}

fn read_at<R: Read + Seek>(reader: &mut R, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    reader.seek(SeekFrom::Start(offset))?;
    let mut buffer = vec![0; len];
    reader.read_exact(&mut buffer)?;
    Ok(buffer)
}

fn le16(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn le32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn le64(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// An entry's content read into memory, up to a limit.
#[derive(Debug)]
pub(crate) enum Captured {
    Bytes(Vec<u8>),
    TooLarge,
}

/// What reading through the entries found.
#[derive(Debug, Default)]
pub(crate) struct ContentScan {
    pub captured: HashMap<usize, Captured>,
    /// `(entry name, what went wrong)` for entries that do not unpack cleanly.
    pub damaged: Vec<(String, String)>,
    /// Entries stored with a compression method this reader (and many servers) cannot unpack.
    pub unsupported: Vec<String>,
}

/// Unpacks entries in memory without keeping them: every index in `check` is read to its end
/// (its checksum verified, its size compared with the directory) and the indexes in `capture`
/// are kept, up to `capture_limit` bytes each. Indexes are positions in the central directory.
pub(crate) fn scan_contents<R: Read + Seek>(
    reader: R,
    entries: &[RawEntry],
    check: &[usize],
    capture: &[usize],
    capture_limit: u64,
) -> Result<ContentScan, String> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| e.to_string())?;
    if archive.len() != entries.len() {
        return Err("its table of contents cannot be read consistently".into());
    }
    let mut scan = ContentScan::default();
    let mut wanted: Vec<usize> = check.iter().chain(capture).copied().collect();
    wanted.sort_unstable();
    wanted.dedup();
    for index in wanted {
        let Some(entry) = entries.get(index) else {
            continue;
        };
        // The zip crate lists entries in directory order; make sure it is the same entry.
        let listed = archive.name_for_index(index).unwrap_or_default();
        if !entry.names().any(|name| name == listed) {
            return Err("its table of contents cannot be read consistently".into());
        }
        let keep = capture.contains(&index);
        let mut file = match archive.by_index(index) {
            Ok(file) => file,
            Err(zip::result::ZipError::UnsupportedArchive(_)) => {
                scan.unsupported.push(entry.name.clone());
                continue;
            }
            Err(error) => {
                scan.damaged.push((entry.name.clone(), error.to_string()));
                continue;
            }
        };
        let declared = entry.uncompressed_size;
        let result = if keep {
            let mut buffer = Vec::new();
            let limit = capture_limit.min(declared).saturating_add(1);
            file.by_ref()
                .take(limit)
                .read_to_end(&mut buffer)
                .map(|n| (n as u64, Some(buffer)))
        } else {
            io::copy(
                &mut file.by_ref().take(declared.saturating_add(1)),
                &mut io::sink(),
            )
            .map(|n| (n, None))
        };
        match result {
            Ok((n, _)) if n > declared => scan.damaged.push((
                entry.name.clone(),
                "it unpacks to more bytes than the ZIP declares".into(),
            )),
            Ok((n, Some(_))) if n > capture_limit => {
                scan.captured.insert(index, Captured::TooLarge);
            }
            Ok((n, _)) if n < declared => scan.damaged.push((
                entry.name.clone(),
                "it unpacks to fewer bytes than the ZIP declares".into(),
            )),
            Ok((_, Some(buffer))) => {
                scan.captured.insert(index, Captured::Bytes(buffer));
            }
            Ok((_, None)) => {}
            Err(error) => {
                let reason = if error.to_string().contains("checksum") {
                    "its checksum does not match (the file is corrupted)".to_owned()
                } else {
                    error.to_string()
                };
                scan.damaged.push((entry.name.clone(), reason));
            }
        }
    }
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_html_pages_and_other_files() {
        assert_eq!(
            sniff(b"\n<!DOCTYPE html><html><head><title> openSIS \n Login</title>"),
            Sniff::Html {
                title: Some("openSIS Login".into())
            }
        );
        assert_eq!(sniff(b"<html>"), Sniff::Html { title: None });
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniff::ZipStart);
        assert_eq!(sniff(b"hello world\n"), Sniff::Other("a plain text file"));
        assert!(matches!(sniff(b"\x1f\x8b\x08\x00"), Sniff::Other(s) if s.contains("gzip")));
        assert!(matches!(sniff(b"{\"error\":1}"), Sniff::Other(s) if s.contains("JSON")));
        assert_eq!(
            sniff(b"\x00\x01\x02\xff"),
            Sniff::Other("a file of an unknown type")
        );
    }

    #[test]
    fn cp437_names_decode() {
        assert_eq!(decode_name(b"caf\x82.php", false), "café.php");
        assert_eq!(decode_name("café.php".as_bytes(), true), "café.php");
    }

    #[test]
    fn eocd_with_comment_is_found() {
        let mut tail = vec![0u8; 10];
        tail.extend_from_slice(EOCD_SIG);
        tail.extend_from_slice(&[0; 16]);
        tail.extend_from_slice(&3u16.to_le_bytes());
        tail.extend_from_slice(b"abc");
        assert_eq!(find_eocd(&tail), Some(10));
        assert_eq!(find_eocd(b"short"), None);
    }
}
