// Owns: the bits of text an answer yields for a sentence — an HTML page's title, a body's first
// characters, any text cut to a length on one line. Must not: know what the answer means.

const TITLE_SEARCH_BYTES: usize = 64 * 1024;
/// A page title longer than this is cut: it goes into findings and error messages.
pub(crate) const TITLE_CHARS: usize = 200;
/// How much of a body an excerpt keeps.
const EXCERPT_CHARS: usize = 300;

/// The `<title>` of an HTML page, to name the proxy or login page the admin is looking at.
/// Only the start of the page is searched: a title is in its head.
pub fn html_title(body: &str) -> Option<String> {
    let mut end = body.len().min(TITLE_SEARCH_BYTES);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let head = &body[..end];
    let lower = head.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = lower[start..].find('>')? + start + 1;
    let close = lower[open_end..].find("</title>")? + open_end;
    let title = shorten(head.get(open_end..close)?, TITLE_CHARS);
    (!title.is_empty()).then_some(title)
}

/// The first characters of a body, on one line, for evidence. Reads no further than it needs.
pub fn excerpt(body: &str) -> String {
    shorten(body, EXCERPT_CHARS)
}

/// At most `limit` characters of a text, its white space collapsed to single spaces, with `…`
/// when it was cut: for words a site sent that end up in a sentence for the admin.
pub fn shorten(body: &str, limit: usize) -> String {
    let mut chars = body
        .split_whitespace()
        .enumerate()
        .flat_map(|(i, word)| (i > 0).then_some(' ').into_iter().chain(word.chars()));
    let cut: String = chars.by_ref().take(limit).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}
