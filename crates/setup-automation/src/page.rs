// Owns: one answer of an admin page and what can be read from its HTML — the session key, a
// form's fields as Moodle would post them, a select's options, the notices and error boxes.
// Must not: decide what a page means for the set-up (the readers and the steps do).

use scraper::{ElementRef, Html, Selector};

/// An admin page's answer: its status, where it redirects, and its HTML.
#[derive(Debug, Clone)]
pub struct Page {
    /// The address asked, relative to the site's root, with its query.
    pub asked: String,
    pub status: u16,
    /// The `Location` of a redirect.
    pub location: Option<String>,
    pub body: String,
}

/// A form as the browser would send it: its action, and every field with its current value
/// (hidden inputs, texts, ticked boxes, selected options, text areas), in page order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub action: String,
    pub method: String,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// The value PHP would read for a field: the last one sent (a ticked box comes after the
    /// hidden "0" Moodle puts before it).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets a field (replacing every value it had), or adds it.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        self.fields.retain(|(n, _)| n != name);
        self.fields.push((name.to_string(), value));
    }

    /// Drops a field (an unticked box sends nothing).
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|(n, _)| n != name);
    }
}

/// One option of a `<select>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn selector(css: &str) -> Selector {
    // Every selector in this crate is a literal checked by the tests.
    Selector::parse(css).expect("a valid CSS selector")
}

pub(crate) fn text_of(el: ElementRef<'_>) -> String {
    el.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Page {
    /// A page as the tests give it: HTML answered with 200 to `x`.
    #[cfg(test)]
    pub(crate) fn of_html(body: &str) -> Self {
        Self {
            asked: "x".into(),
            status: 200,
            location: None,
            body: body.into(),
        }
    }

    pub fn is_redirect(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308)
    }

    fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The session key Moodle puts in every page it renders for a signed-in user (`M.cfg`).
    pub fn sesskey(&self) -> Option<String> {
        let at = self.body.find("\"sesskey\":\"")? + "\"sesskey\":\"".len();
        let key: String = self.body[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        (!key.is_empty()).then_some(key)
    }

    pub fn title(&self) -> Option<String> {
        let html = self.html();
        html.select(&selector("title"))
            .next()
            .map(text_of)
            .filter(|t| !t.is_empty())
    }

    /// The value of the first `<input>` named `name`.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let html = self.html();
        let found = html
            .select(&selector("input"))
            .find(|i| i.value().attr("name") == Some(name))
            .map(|i| i.value().attr("value").unwrap_or_default().to_string());
        found
    }

    /// Whether the checkbox named `name` is ticked, read from the box itself (a disabled box
    /// that the form would not send is still shown ticked or not).
    pub fn checkbox(&self, name: &str) -> Option<bool> {
        let html = self.html();
        let found = html
            .select(&selector("input"))
            .find(|i| {
                i.value().attr("name") == Some(name)
                    && i.value()
                        .attr("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("checkbox"))
            })
            .map(|i| i.value().attr("checked").is_some());
        found
    }

    pub fn has_input(&self, name: &str) -> bool {
        self.input_value(name).is_some()
    }

    /// The form whose `id` is `id`, or whose action contains `action_part`.
    pub fn form(&self, id_or_action: &str) -> Option<Form> {
        let html = self.html();
        let form = html.select(&selector("form")).find(|f| {
            f.value().attr("id") == Some(id_or_action)
                || f.value()
                    .attr("action")
                    .is_some_and(|a| a.contains(id_or_action))
        })?;
        Some(read_form(form))
    }

    /// Every form of the page, in page order, as the browser would send it.
    pub fn forms(&self) -> Vec<Form> {
        let html = self.html();
        let forms = html.select(&selector("form")).map(read_form).collect();
        forms
    }

    /// Every option of the `<select>` named `name`.
    pub fn select_options(&self, name: &str) -> Vec<SelectOption> {
        let html = self.html();
        let options = html
            .select(&selector("select"))
            .filter(|s| s.value().attr("name") == Some(name))
            .flat_map(|s| s.select(&selector("option")).collect::<Vec<_>>())
            .map(|o| SelectOption {
                value: o
                    .value()
                    .attr("value")
                    .map(str::to_string)
                    .unwrap_or_else(|| text_of(o)),
                label: text_of(o),
                selected: o.value().attr("selected").is_some(),
            })
            .collect();
        options
    }

    /// The text of every element matching `css` (for the readers of lists and tables).
    pub fn texts(&self, css: &str) -> Vec<String> {
        let html = self.html();
        let texts = html.select(&selector(css)).map(text_of).collect();
        texts
    }

    /// The `href` of every link, in page order.
    pub fn links(&self) -> Vec<(String, String)> {
        let html = self.html();
        let links = html
            .select(&selector("a[href]"))
            .map(|a| {
                (
                    a.value().attr("href").unwrap_or_default().to_string(),
                    text_of(a),
                )
            })
            .collect();
        links
    }

    /// The signed-in user's id, from the user menu's data attribute.
    pub fn user_id(&self) -> Option<u64> {
        let at = self.body.find("data-userid=\"")? + "data-userid=\"".len();
        self.body[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    }

    /// Moodle's notices on the page (saved, error, warning), as their text.
    pub fn notices(&self) -> Vec<String> {
        self.texts("div.alert, .errorbox, .errormessage, .box.errorbox, span.error")
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The message of Moodle's error page (`print_error` / `moodle_exception`), if this is one.
    pub fn error_box(&self) -> Option<String> {
        self.texts(".errorbox .errormessage, .errorbox p.errormessage, div.errorbox")
            .into_iter()
            .find(|t| !t.is_empty())
    }

    /// The login page's own error ("Invalid login, please try again").
    pub fn login_error(&self) -> Option<String> {
        self.texts("#loginerrormessage")
            .into_iter()
            .find(|t| !t.is_empty())
    }
}

fn read_form(form: ElementRef<'_>) -> Form {
    let mut fields = Vec::new();
    let controls = selector("input, select, textarea");
    for el in form.select(&controls) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        if v.attr("disabled").is_some() {
            continue;
        }
        match v.name() {
            "input" => {
                let kind = v.attr("type").unwrap_or("text").to_ascii_lowercase();
                match kind.as_str() {
                    "checkbox" | "radio" => {
                        if v.attr("checked").is_some() {
                            fields.push((name.into(), v.attr("value").unwrap_or("on").into()));
                        }
                    }
                    "submit" | "button" | "image" | "reset" | "file" => {}
                    _ => fields.push((name.into(), v.attr("value").unwrap_or_default().into())),
                }
            }
            "select" => {
                let options: Vec<_> = el.select(&selector("option")).collect();
                let chosen: Vec<_> = options
                    .iter()
                    .filter(|o| o.value().attr("selected").is_some())
                    .collect();
                let multiple = v.attr("multiple").is_some();
                let picked: Vec<&ElementRef<'_>> = if chosen.is_empty() && !multiple {
                    options.first().into_iter().collect()
                } else {
                    chosen
                };
                for o in picked {
                    let value = o
                        .value()
                        .attr("value")
                        .map(str::to_string)
                        .unwrap_or_else(|| text_of(*o));
                    fields.push((name.into(), value));
                }
            }
            "textarea" => fields.push((name.into(), el.text().collect())),
            _ => {}
        }
    }
    Form {
        action: form.value().attr("action").unwrap_or_default().to_string(),
        method: form
            .value()
            .attr("method")
            .unwrap_or("get")
            .to_ascii_lowercase(),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Page {
        Page::of_html(body)
    }

    #[test]
    fn reads_the_session_key_from_m_cfg() {
        let p = page(
            r#"<script>M.cfg = {"wwwroot":"http:\/\/x","sesskey":"2AUudufWer","sessiontimeout":"28800"};</script>"#,
        );
        assert_eq!(p.sesskey().as_deref(), Some("2AUudufWer"));
        assert_eq!(page("<p>no key</p>").sesskey(), None);
    }

    #[test]
    fn a_form_sends_what_a_browser_would() {
        let p = page(
            r#"<form id="f" action="http://x/admin/settings.php" method="post">
            <input type="hidden" name="sesskey" value="k">
            <input type="checkbox" name="s_on" value="1" checked>
            <input type="checkbox" name="s_off" value="1">
            <input type="text" name="s_life" value="60">
            <select name="s_map"><option value="username">Username</option><option value="email" selected>Email address</option></select>
            <select name="s_first"><option value="a">A</option><option value="b">B</option></select>
            <textarea name="s_t">line</textarea>
            <input type="submit" name="save" value="Save">
            <input type="text" name="gone" value="x" disabled>
            </form>"#,
        );
        let f = p.form("f").expect("the form");
        assert_eq!(f.method, "post");
        assert_eq!(
            f.fields,
            vec![
                ("sesskey".to_string(), "k".to_string()),
                ("s_on".into(), "1".into()),
                ("s_life".into(), "60".into()),
                ("s_map".into(), "email".into()),
                ("s_first".into(), "a".into()),
                ("s_t".into(), "line".into()),
            ]
        );
        assert_eq!(p.select_options("s_map").len(), 2);
        assert!(p.select_options("s_map")[1].selected);
        assert!(p.form("settings.php").is_some());
        assert!(p.form("nothing").is_none());
    }

    #[test]
    fn reads_the_login_error() {
        let p = page(
            r#"<div class="alert alert-danger" id="loginerrormessage" role="alert">Invalid login, please try again</div>"#,
        );
        assert_eq!(
            p.login_error().as_deref(),
            Some("Invalid login, please try again")
        );
    }
}
