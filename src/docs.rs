//! The documentation site: Markdown embedded in the binary, rendered once
//! at start-up. Tables that must match the server — permissions, error
//! codes, the API reference — are generated from the code that enforces
//! them, where a page has the `<!-- generated -->` marker.

use std::fmt::Write;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};
use rust_embed::RustEmbed;
use serde_json::Value;

use crate::auth::policy::{self, Action};
use crate::configuration::RateLimits;
use crate::domain::{AccountType, Permission};
use crate::error::ProblemCode;

#[derive(RustEmbed)]
#[folder = "templates/docs/"]
struct DocSources;

/// Sidebar order.
pub const SLUGS: [&str; 7] = [
    "authentication",
    "getting-started",
    "permissions",
    "api-reference",
    "errors",
    "rate-limits",
    "changelog",
];

const MARKER: &str = "<!-- generated -->";

#[derive(Debug, Clone)]
pub struct DocPage {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub updated: String,
    pub html: String,
    pub etag: String,
}

pub struct DocsSite {
    pages: Vec<DocPage>,
}

impl DocsSite {
    pub fn build(limits: &RateLimits) -> anyhow::Result<Self> {
        let mut pages = Vec::new();
        for slug in SLUGS {
            let file = DocSources::get(&format!("{slug}.md"))
                .ok_or_else(|| anyhow::anyhow!("documentation page {slug}.md is missing"))?;
            let source = String::from_utf8(file.data.into_owned())?;
            pages.push(render_page(slug, &source, limits)?);
        }
        Ok(DocsSite { pages })
    }

    pub fn pages(&self) -> &[DocPage] {
        &self.pages
    }

    pub fn page(&self, slug: &str) -> Option<&DocPage> {
        self.pages.iter().find(|p| p.slug == slug)
    }
}

fn render_page(slug: &str, source: &str, limits: &RateLimits) -> anyhow::Result<DocPage> {
    let (front, body) = split_front_matter(source)
        .ok_or_else(|| anyhow::anyhow!("{slug}.md has no front matter"))?;
    let field = |name: &str| {
        front
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let body = body
        .replace("{{limit.read_only}}", &limits.read_only.to_string())
        .replace("{{limit.standard}}", &limits.standard.to_string())
        .replace("{{limit.partner}}", &limits.partner.to_string());
    let mut html = markdown_to_html(&body);
    if html.contains(MARKER) {
        let generated = match slug {
            "permissions" => permissions_html(limits),
            "errors" => errors_html(),
            "api-reference" => api_reference_html(crate::openapi::json())?,
            other => anyhow::bail!("{other}.md has a generated marker but nothing generates it"),
        };
        html = html.replace(MARKER, &generated);
    }
    let etag = crate::domain::hash_session_key(&html)[..16].to_owned();
    Ok(DocPage {
        slug: slug.to_owned(),
        title: field("title"),
        summary: field("summary"),
        updated: field("updated"),
        html,
        etag,
    })
}

fn split_front_matter(source: &str) -> Option<(&str, &str)> {
    let rest = source.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some((&rest[..end], &rest[end + 5..]))
}

/// Heading anchors: lower case, runs of anything else become one '-'.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    slug
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn markdown_to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<(HeadingLevel, Vec<Event>)> = None;
    let mut code: Option<(String, String)> = None;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, Vec::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, inner)) = heading.take() {
                    let text: String = inner
                        .iter()
                        .filter_map(|e| match e {
                            Event::Text(t) | Event::Code(t) => Some(t.to_string()),
                            _ => None,
                        })
                        .collect();
                    let id = slugify(&text);
                    let mut inner_html = String::new();
                    html::push_html(&mut inner_html, inner.into_iter());
                    let n = level as usize;
                    events.push(Event::Html(CowStr::from(format!(
                        "<h{n} id=\"{id}\">{inner_html} <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></h{n}>\n"
                    ))));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, text)) = code.take() {
                    events.push(Event::Html(CowStr::from(format!(
                        "<div class=\"code-block\"><button class=\"button button-small copy-button code-copy\" type=\"button\" hidden>Copy</button><pre><code class=\"language-{}\">{}</code></pre></div>\n",
                        escape(&lang),
                        highlight(&lang, &text)
                    ))));
                }
            }
            Event::Text(text) if code.is_some() => {
                if let Some((_, buf)) = code.as_mut() {
                    buf.push_str(&text);
                }
            }
            other => match heading.as_mut() {
                Some((_, inner)) => inner.push(other),
                None => events.push(other),
            },
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

/// Server-side syntax highlighting for the languages the docs use.
pub fn highlight(lang: &str, code: &str) -> String {
    let (keywords, line_comment): (&[&str], &str) = match lang {
        "bash" | "sh" | "shell" => (
            &[
                "export", "curl", "if", "then", "fi", "for", "do", "done", "echo",
            ],
            "#",
        ),
        "python" | "py" => (
            &[
                "import", "from", "def", "return", "if", "else", "elif", "for", "in", "while",
                "try", "except", "raise", "with", "as", "None", "True", "False", "not", "and",
                "or",
            ],
            "#",
        ),
        "javascript" | "js" => (
            &[
                "const", "let", "var", "function", "return", "if", "else", "await", "async", "new",
                "throw", "for", "of", "null", "true", "false",
            ],
            "//",
        ),
        "json" => (&["true", "false", "null"], ""),
        _ => return escape(code),
    };
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let span = |out: &mut String, class: &str, text: &str| {
        let _ = write!(out, "<span class=\"tok-{class}\">{}</span>", escape(text));
    };
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if !line_comment.is_empty()
            && rest.starts_with(line_comment)
            && (line_comment != "#" || i == 0 || chars[i - 1].is_whitespace())
        {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| i + p);
            span(&mut out, "com", &chars[i..end].iter().collect::<String>());
            i = end;
        } else if c == '"' || c == '\'' || (c == '`' && lang.starts_with("j")) {
            let mut end = i + 1;
            while end < chars.len() && chars[end] != c {
                if chars[end] == '\\' {
                    end += 1;
                }
                end += 1;
            }
            let end = (end + 1).min(chars.len());
            let text: String = chars[i..end].iter().collect();
            let after = chars[end..].iter().find(|c| !c.is_whitespace());
            let class = if lang == "json" && after == Some(&':') {
                "key"
            } else {
                "str"
            };
            span(&mut out, class, &text);
            i = end;
        } else if c.is_ascii_digit()
            && (i == 0 || !chars[i - 1].is_alphanumeric() && chars[i - 1] != '_')
        {
            let end = chars[i..]
                .iter()
                .position(|c| !(c.is_ascii_alphanumeric() || *c == '.'))
                .map_or(chars.len(), |p| i + p);
            span(&mut out, "num", &chars[i..end].iter().collect::<String>());
            i = end;
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let end = chars[i..]
                .iter()
                .position(|c| !(c.is_alphanumeric() || *c == '_' || *c == '$'))
                .map_or(chars.len(), |p| i + p);
            let word: String = chars[i..end].iter().collect();
            if keywords.contains(&word.as_str()) {
                span(&mut out, "kw", &word);
            } else if word.starts_with('$') {
                span(&mut out, "var", &word);
            } else if chars.get(end) == Some(&'(') {
                span(&mut out, "fn", &word);
            } else {
                out.push_str(&escape(&word));
            }
            i = end;
        } else {
            out.push_str(&escape(&c.to_string()));
            i += 1;
        }
    }
    out
}

/// The permission matrix, from the table the server enforces.
pub fn permissions_html(limits: &RateLimits) -> String {
    let mut out = String::from(
        "<h2 id=\"permission-levels\">Permission levels <a class=\"anchor\" href=\"#permission-levels\" aria-label=\"Link to this section\">#</a></h2>\n<div class=\"table-wrap\"><table id=\"permission-levels-table\"><thead><tr><th>Permission level</th><th>Access</th><th>Available to</th><th>Rate limit</th></tr></thead><tbody>",
    );
    for p in Permission::ALL {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} requests/minute</td></tr>",
            p.label(),
            p.summary(),
            p.available_to(),
            limits.for_permission(*p)
        );
    }
    out.push_str("</tbody></table></div>\n");
    out.push_str("<h2 id=\"action-matrix\">What each key may do <a class=\"anchor\" href=\"#action-matrix\" aria-label=\"Link to this section\">#</a></h2>\n<p>Rows are API actions; columns are the account type and the key&rsquo;s permission level. &#10003; means allowed; anything else is refused with <a href=\"/docs/errors#insufficient_scope\"><code>403 insufficient_scope</code></a>. Jobs and applications are further limited to your own.</p>\n<div class=\"table-wrap\"><table id=\"permission-matrix\"><thead><tr><th>Action</th>");
    let columns: Vec<(AccountType, Permission)> = [
        AccountType::Developer,
        AccountType::Candidate,
        AccountType::Employer,
    ]
    .into_iter()
    .flat_map(|t| Permission::ALL.iter().map(move |p| (t, *p)))
    .filter(|(t, p)| {
        *p == Permission::Partner
            || *p <= policy::permission_ceiling(*t, crate::domain::PartnerStatus::None)
    })
    .collect();
    for (t, p) in &columns {
        let note = if *p == Permission::Partner {
            " (approved partner)"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<th data-account-type=\"{}\" data-permission=\"{}\">{} · {}{}</th>",
            t.as_str(),
            p.as_str(),
            t.label(),
            p.label(),
            note
        );
    }
    out.push_str("</tr></thead><tbody>");
    for action in Action::ALL {
        let _ = write!(
            out,
            "<tr><td><code>{}</code><br>{}</td>",
            escape(action.route()),
            action.description()
        );
        for (t, p) in &columns {
            let allowed = policy::allows(*t, *p, *action);
            let _ = write!(
                out,
                "<td data-allowed=\"{allowed}\">{}</td>",
                if allowed {
                    "&#10003;<span class=\"sr-only\"> allowed</span>"
                } else {
                    "—<span class=\"sr-only\"> not allowed</span>"
                }
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// Every problem code, from the enum the API answers with.
pub fn errors_html() -> String {
    let mut out = String::from(
        "<div class=\"table-wrap\"><table id=\"error-codes\"><thead><tr><th>Code</th><th>Status</th><th>Title</th><th>What to do</th></tr></thead><tbody>",
    );
    for code in ProblemCode::ALL {
        let advice = markdown_inline(code.advice());
        let _ = write!(
            out,
            "<tr id=\"{c}\"><td><a href=\"#{c}\"><code>{c}</code></a></td><td>{s}</td><td>{t}</td><td>{advice}</td></tr>",
            c = code.as_str(),
            s = code.status().as_u16(),
            t = code.title()
        );
    }
    out.push_str("</tbody></table></div>\n");
    out
}

fn markdown_inline(text: &str) -> String {
    let html = markdown_to_html(text);
    html.trim()
        .trim_start_matches("<p>")
        .trim_end_matches("</p>")
        .to_owned()
}

/// The API reference, rendered from the OpenAPI document the server serves.
pub fn api_reference_html(openapi_json: &str) -> anyhow::Result<String> {
    let doc: Value = serde_json::from_str(openapi_json)?;
    let mut out = String::new();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let mut operations: Vec<(String, String, Value)> = Vec::new();
    for (path, item) in &paths {
        for method in ["get", "post", "patch", "put", "delete"] {
            if let Some(op) = item.get(method) {
                operations.push((path.clone(), method.to_owned(), op.clone()));
            }
        }
    }
    let order = |p: &str| {
        Action::ALL
            .iter()
            .position(|a| a.route().ends_with(p))
            .unwrap_or(99)
    };
    operations.sort_by_key(|(path, method, _)| order(&format!("{} {path}", method.to_uppercase())));
    out.push_str("<h3 id=\"endpoint-index\">Endpoint index</h3><ul class=\"endpoint-index\">");
    for (path, method, op) in &operations {
        let id = slugify(&format!("{method} {path}"));
        let _ = write!(
            out,
            "<li><a href=\"#{id}\"><code>{} {}</code></a> — {}</li>",
            method.to_uppercase(),
            escape(path),
            escape(op["summary"].as_str().unwrap_or(""))
        );
    }
    out.push_str("</ul>");
    for (path, method, op) in &operations {
        let id = slugify(&format!("{method} {path}"));
        let _ = write!(
            out,
            "<section class=\"endpoint\"><h3 id=\"{id}\"><code>{} {}</code> <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></h3>",
            method.to_uppercase(),
            escape(path)
        );
        if let Some(summary) = op["summary"].as_str() {
            let _ = write!(out, "<p><strong>{}</strong></p>", escape(summary));
        }
        if let Some(description) = op["description"].as_str() {
            let _ = write!(out, "<p>{}</p>", escape(description));
        }
        let route = format!("{} {path}", method.to_uppercase());
        if let Some(action) = Action::ALL.iter().find(|a| a.route() == route) {
            let who: Vec<String> = [
                AccountType::Developer,
                AccountType::Candidate,
                AccountType::Employer,
            ]
            .iter()
            .flat_map(|t| Permission::ALL.iter().map(move |p| (*t, *p)))
            .filter(|(t, p)| policy::allows(*t, *p, *action))
            .map(|(t, p)| format!("{} ({})", t.label(), p.label()))
            .collect();
            let _ = write!(
                out,
                "<p class=\"muted\">Allowed for: {}. <a href=\"/docs/permissions#action-matrix\">Permissions</a></p>",
                escape(&who.join(", "))
            );
        }
        if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
            out.push_str("<h4>Parameters</h4><div class=\"table-wrap\"><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>");
            for p in params {
                let _ = write!(
                    out,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(p["name"].as_str().unwrap_or("")),
                    escape(p["in"].as_str().unwrap_or("")),
                    escape(&type_of(&p["schema"])),
                    if p["required"].as_bool().unwrap_or(false) {
                        "yes"
                    } else {
                        "no"
                    },
                    escape(p["description"].as_str().unwrap_or(""))
                );
            }
            out.push_str("</tbody></table></div>");
        }
        if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
            out.push_str("<h4>Request body <code>application/json</code></h4>");
            out.push_str(&schema_table(schema, &doc));
        }
        out.push_str("<h4>Responses</h4><ul class=\"responses\">");
        if let Some(responses) = op["responses"].as_object() {
            for (status, response) in responses {
                let schema = response
                    .pointer("/content/application~1json/schema")
                    .map(type_of)
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    "<li><code>{}</code> {}{}</li>",
                    escape(status),
                    escape(response["description"].as_str().unwrap_or("")),
                    if schema.is_empty() {
                        String::new()
                    } else {
                        format!(" — <code>{}</code>", escape(&schema))
                    }
                );
            }
        }
        out.push_str("</ul>");
        if let Some(schema) = op
            .pointer("/responses/200/content/application~1json/schema")
            .or_else(|| op.pointer("/responses/201/content/application~1json/schema"))
        {
            out.push_str("<details><summary>Response fields</summary>");
            out.push_str(&schema_table(schema, &doc));
            out.push_str("</details>");
        }
        out.push_str("</section>");
    }
    out.push_str("<h3 id=\"schemas\">Schemas <a class=\"anchor\" href=\"#schemas\" aria-label=\"Link to this section\">#</a></h3>");
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let id = format!("schema-{}", slugify(name));
            let _ = write!(
                out,
                "<h4 id=\"{id}\">{} <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></h4>",
                escape(name)
            );
            out.push_str(&schema_table(schema, &doc));
        }
    }
    Ok(out)
}

fn resolve<'a>(schema: &'a Value, doc: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => doc
            .pointer(&reference.replacen('#', "", 1))
            .unwrap_or(schema),
        None => schema,
    }
}

fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.rsplit('/').next().unwrap_or("").to_owned();
    }
    if let Some(any) = schema["oneOf"]
        .as_array()
        .or_else(|| schema["anyOf"].as_array())
    {
        return any
            .iter()
            .map(type_of)
            .filter(|t| t != "null")
            .collect::<Vec<_>>()
            .join(" | ");
    }
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let kind = match &schema["type"] {
        Value::String(s) => s.clone(),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    };
    if kind == "array" {
        return format!("array of {}", type_of(&schema["items"]));
    }
    match schema["format"].as_str() {
        Some(format) => format!("{kind} ({format})"),
        None => kind,
    }
}

fn schema_table(schema: &Value, doc: &Value) -> String {
    let schema = resolve(schema, doc);
    let Some(properties) = schema["properties"].as_object() else {
        return format!("<p><code>{}</code></p>", escape(&type_of(schema)));
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = String::from(
        "<div class=\"table-wrap\"><table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>",
    );
    for (name, prop) in properties {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            escape(&type_of(prop)),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            escape(
                resolve(prop, doc)["description"]
                    .as_str()
                    .or(prop["description"].as_str())
                    .unwrap_or("")
            )
        );
    }
    out.push_str("</tbody></table></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_the_documented_rule() {
        assert_eq!(slugify("Revoking API keys"), "revoking-api-keys");
        assert_eq!(slugify("OAuth 2.0 (Coming soon)"), "oauth-2-0-coming-soon");
    }

    #[test]
    fn highlighting_escapes_and_marks_tokens() {
        let html = highlight("json", r#"{"title": "<b>", "n": 3}"#);
        assert!(html.contains("tok-key"));
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn every_page_renders() {
        let site = DocsSite::build(&"read_only=60".parse().unwrap()).unwrap();
        assert_eq!(site.pages().len(), SLUGS.len());
        for page in site.pages() {
            assert!(!page.title.is_empty(), "{} has no title", page.slug);
            assert!(!page.html.contains(MARKER), "{} kept its marker", page.slug);
        }
    }
}
