// Owns: reading a fuzz input as an HTTP answer shaped like the recorded captures (status
// line, headers, blank line, body), shared by the targets that decode answers. Must not: fail;
// anything that cannot be read as a head is a body answered with 200.

/// A capture-like answer: its status, its head (empty when there is none) and its body.
pub struct RawInput<'a> {
    pub status: u16,
    pub head: String,
    pub body: &'a [u8],
}

impl<'a> RawInput<'a> {
    pub fn parse(data: &'a [u8]) -> Self {
        let blank = data
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| (i, i + 4))
            .or_else(|| {
                data.windows(2)
                    .position(|w| w == b"\n\n")
                    .map(|i| (i, i + 2))
            });
        let Some((head_end, body_start)) = blank else {
            return Self {
                status: 200,
                head: String::new(),
                body: data,
            };
        };
        let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
        let status = head
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(200);
        Self {
            status,
            head,
            body: &data[body_start..],
        }
    }

    /// Every value of a header, in order.
    pub fn headers<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .filter(move |(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    pub fn header<'s>(&'s self, name: &'s str) -> Option<&'s str> {
        self.headers(name).next()
    }
}
