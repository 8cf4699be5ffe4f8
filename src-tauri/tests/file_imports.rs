//! No file imports another that imports it back, in any crate of the workspace or in the app.
//! Every source file reachable from a crate's root through `mod x;` is read; each path it names
//! (`use` trees with their braces, `crate::`, `self::`, `super::`, a child module's name, a name
//! it imported) is resolved to the file that defines it, through re-exports, and the files that
//! reach each other are reported with the lines that do it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[path = "support/workspace.rs"]
mod workspace;
use workspace::{metadata, repo};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other,
}

/// The tokens of Rust source that matter for paths, with their line numbers: comments, strings
/// and character literals are dropped.
fn lex(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let skip_string = |i: &mut usize, line: &mut usize, hashes: Option<usize>| {
        // At the opening quote; a raw string ends at a quote followed by its hashes.
        *i += 1;
        while *i < c.len() {
            match (c[*i], hashes) {
                ('\\', None) => *i += 1,
                ('"', None) => break,
                ('"', Some(n))
                    if c[*i + 1..].iter().take(n).filter(|&&h| h == '#').count() == n =>
                {
                    *i += n;
                    break;
                }
                ('\n', _) => *line += 1,
                _ => {}
            }
            *i += 1;
        }
        *i += 1;
    };
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied().unwrap_or(' ');
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && next == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if ch == '"' {
            skip_string(&mut i, &mut line, None);
        } else if (ch == 'r' || (ch == 'b' && next == 'r'))
            && matches!(c.get(i + 1 + usize::from(ch == 'b')), Some('"') | Some('#'))
            && !c
                .get(i + 2 + usize::from(ch == 'b'))
                .is_some_and(|x| x.is_alphanumeric() || *x == '_')
        {
            // r"…", r#"…"#, br"…" (not the raw identifier r#name).
            i += 1 + usize::from(ch == 'b');
            let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
            i += hashes;
            skip_string(&mut i, &mut line, Some(hashes));
        } else if ch == 'b' && next == '"' {
            i += 1;
            skip_string(&mut i, &mut line, None);
        } else if ch == '\'' {
            // A character literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
            if next == '\\' {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            if ch == 'r' && next == '#' {
                i += 2;
            }
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            out.push((Tok::Ident(word.trim_start_matches("r#").to_owned()), line));
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((Tok::Other, line));
        } else {
            let tok = match ch {
                ':' if next == ':' => {
                    i += 1;
                    Tok::PathSep
                }
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                ';' => Tok::Semi,
                '*' => Tok::Star,
                _ => Tok::Other,
            };
            out.push((tok, line));
            i += 1;
        }
    }
    out
}

type ModPath = Vec<String>;

/// What one file says: its inline modules, the `mod x;` it declares, what its `use` items bind,
/// and every path it names, each with the module it is named in.
#[derive(Default)]
struct FileSays {
    inline: BTreeSet<ModPath>,
    declared: Vec<ModPath>,
    binds: BTreeMap<(ModPath, String), Vec<String>>,
    globs: Vec<(ModPath, Vec<String>)>,
    paths: Vec<(ModPath, Vec<String>, usize)>,
}

fn ident(t: Option<&(Tok, usize)>) -> Option<&str> {
    match t {
        Some((Tok::Ident(s), _)) => Some(s),
        _ => None,
    }
}

/// A `use` tree from `toks[i]`, under `prefix`: each leaf path with the name it binds.
fn use_tree(
    toks: &[(Tok, usize)],
    mut i: usize,
    mut prefix: Vec<String>,
    leaves: &mut Vec<(Vec<String>, Option<String>)>,
) -> usize {
    loop {
        match toks.get(i).map(|t| &t.0) {
            Some(Tok::Ident(s)) if s == "as" => {
                let alias = ident(toks.get(i + 1)).map(str::to_owned);
                if let Some(last) = leaves.last_mut() {
                    last.1 = alias.filter(|a| a != "_");
                }
                return i + 2;
            }
            Some(Tok::Ident(s)) => {
                if s == "self" && !prefix.is_empty() {
                    let name = prefix.last().cloned();
                    leaves.push((prefix.clone(), name));
                } else {
                    prefix.push(s.clone());
                    let ends = !matches!(toks.get(i + 1).map(|t| &t.0), Some(Tok::PathSep));
                    if ends {
                        leaves.push((prefix.clone(), Some(s.clone())));
                    }
                }
                i += 1;
            }
            Some(Tok::PathSep) => i += 1,
            Some(Tok::Star) => {
                leaves.push((prefix.clone(), None));
                return i + 1;
            }
            Some(Tok::Open) => {
                i += 1;
                while !matches!(toks.get(i).map(|t| &t.0), Some(Tok::Close) | None) {
                    i = use_tree(toks, i, prefix.clone(), leaves);
                    if matches!(toks.get(i).map(|t| &t.0), Some(Tok::Comma)) {
                        i += 1;
                    }
                }
                return i + 1;
            }
            _ => return i,
        }
    }
}

fn read_file(toks: &[(Tok, usize)], module: &ModPath) -> FileSays {
    let mut says = FileSays::default();
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let here = |stack: &[(String, usize)]| {
        let mut m = module.clone();
        m.extend(stack.iter().map(|(n, _)| n.clone()));
        m
    };
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                if stack.last().is_some_and(|(_, d)| *d == depth) {
                    stack.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(w) if w == "mod" => {
                if let Some(name) = ident(toks.get(i + 1)) {
                    let mut m = here(&stack);
                    m.push(name.to_owned());
                    match toks.get(i + 2).map(|t| &t.0) {
                        Some(Tok::Semi) => says.declared.push(m),
                        Some(Tok::Open) => {
                            says.inline.insert(m);
                            stack.push((name.to_owned(), depth + 1));
                        }
                        _ => {}
                    }
                    i += 2;
                    continue;
                }
            }
            Tok::Ident(w) if w == "use" => {
                let mut leaves = Vec::new();
                let end = use_tree(toks, i + 1, Vec::new(), &mut leaves);
                let at = here(&stack);
                for (path, name) in leaves {
                    says.paths.push((at.clone(), path.clone(), toks[i].1));
                    match name {
                        Some(n) => {
                            says.binds.insert((at.clone(), n), path);
                        }
                        None => says.globs.push((at.clone(), path)),
                    }
                }
                i = end;
                continue;
            }
            Tok::Ident(first) => {
                let preceded = i > 0 && matches!(toks[i - 1].0, Tok::PathSep);
                if !preceded && matches!(toks.get(i + 1).map(|t| &t.0), Some(Tok::PathSep)) {
                    let mut path = vec![first.clone()];
                    let mut j = i + 1;
                    while matches!(toks.get(j).map(|t| &t.0), Some(Tok::PathSep)) {
                        match ident(toks.get(j + 1)) {
                            Some(s) => path.push(s.to_owned()),
                            None => break,
                        }
                        j += 2;
                    }
                    says.paths.push((here(&stack), path, toks[i].1));
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    says
}

/// One crate's files and what each says.
struct CrateFiles {
    /// Module path → the file that holds it (inline modules map to their file).
    module_file: BTreeMap<ModPath, PathBuf>,
    says: BTreeMap<PathBuf, FileSays>,
}

fn load(root_file: &Path) -> CrateFiles {
    let mut files = CrateFiles {
        module_file: BTreeMap::new(),
        says: BTreeMap::new(),
    };
    let mut todo = vec![(Vec::new(), root_file.to_path_buf())];
    while let Some((module, file)) = todo.pop() {
        let src =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let says = read_file(&lex(&src), &module);
        files.module_file.insert(module.clone(), file.clone());
        for m in &says.inline {
            files.module_file.insert(m.clone(), file.clone());
        }
        // A root or mod.rs file's children sit beside it; foo.rs's children in foo/.
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if file == root_file || stem == "mod" {
            dir
        } else {
            dir.join(stem)
        };
        for m in &says.declared {
            let below = &m[module.len()..];
            let mut at = base.clone();
            for seg in &below[..below.len() - 1] {
                at.push(seg);
            }
            let name = &below[below.len() - 1];
            let child = [at.join(format!("{name}.rs")), at.join(name).join("mod.rs")]
                .into_iter()
                .find(|p| p.exists());
            if let Some(child) = child {
                todo.push((m.clone(), child));
            }
        }
        files.says.insert(file, says);
    }
    files
}

impl CrateFiles {
    fn is_module(&self, m: &[String]) -> bool {
        self.module_file.contains_key(m)
    }

    /// The file a path named in module `at` leads to, through imports and re-exports.
    fn resolve(&self, at: &ModPath, path: &[String], hops: usize) -> Option<PathBuf> {
        if hops > 16 || path.is_empty() {
            return None;
        }
        let full = match path[0].as_str() {
            "crate" | "self" | "super" => self.absolute(at, path),
            first if self.is_module(&[at.as_slice(), &[first.to_owned()]].concat()) => {
                self.absolute(at, path)
            }
            first => {
                // A name this module imported: its path, read as the `use` wrote it.
                let bound = self.bound(at, first)?;
                return self.resolve(at, &[bound.as_slice(), &path[1..]].concat(), hops + 1);
            }
        };
        let module_len = (0..=full.len())
            .rev()
            .find(|&n| self.is_module(&full[..n]))?;
        let module: ModPath = full[..module_len].to_vec();
        let rest = &full[module_len..];
        // A name the module imported (a re-export, or an item its children reach through it).
        if let Some(name) = rest.first() {
            if let Some(bound) = self.bound(&module, name) {
                let target = [bound.as_slice(), &rest[1..]].concat();
                if let Some(f) = self.resolve(&module, &target, hops + 1) {
                    return Some(f);
                }
            }
        }
        self.module_file.get(&module).cloned()
    }

    /// The path a `use` in `module` bound to `name`, or a glob import's module that holds it.
    fn bound(&self, module: &ModPath, name: &str) -> Option<Vec<String>> {
        let says = &self.says[self.module_file.get(module)?];
        if let Some(p) = says.binds.get(&(module.clone(), name.to_owned())) {
            return Some(p.clone());
        }
        says.globs
            .iter()
            .filter(|(m, _)| m == module)
            .map(|(_, g)| [g.as_slice(), &[name.to_owned()]].concat())
            .find(|p| self.is_module(&self.absolute(module, p)))
    }

    /// A path named in module `at` from the crate's root: `crate::`, `self::` and `super::` read,
    /// anything else taken as below `at` (a child module). `path` is not empty.
    fn absolute(&self, at: &ModPath, path: &[String]) -> Vec<String> {
        match path[0].as_str() {
            "crate" => path[1..].to_vec(),
            "self" => [at.as_slice(), &path[1..]].concat(),
            "super" => {
                let ups = path.iter().take_while(|s| *s == "super").count();
                [&at[..at.len().saturating_sub(ups)], &path[ups..]].concat()
            }
            _ => [at.as_slice(), path].concat(),
        }
    }

    /// Each file's imports of other files, with a line that makes each.
    fn edges(&self) -> BTreeMap<PathBuf, BTreeMap<PathBuf, usize>> {
        let mut edges: BTreeMap<PathBuf, BTreeMap<PathBuf, usize>> = BTreeMap::new();
        for (file, says) in &self.says {
            let out = edges.entry(file.clone()).or_default();
            for (at, path, line) in &says.paths {
                if let Some(target) = self.resolve(at, path, 0) {
                    if &target != file {
                        out.entry(target).or_insert(*line);
                    }
                }
            }
        }
        edges
    }
}

/// Groups of files that import each other (strongly connected, more than one file).
fn cycles(edges: &BTreeMap<PathBuf, BTreeMap<PathBuf, usize>>) -> Vec<Vec<PathBuf>> {
    let reach = |from: &PathBuf| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(f) = todo.pop() {
            for next in edges.get(&f).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&PathBuf, BTreeSet<PathBuf>> =
        edges.keys().map(|f| (f, reach(f))).collect();
    let mut groups: Vec<Vec<PathBuf>> = Vec::new();
    for f in edges.keys() {
        if !reaches[f].contains(f) || groups.iter().any(|g| g.contains(f)) {
            continue;
        }
        let group: Vec<PathBuf> = edges
            .keys()
            .filter(|g| reaches[f].contains(*g) && reaches[*g].contains(f))
            .cloned()
            .collect();
        groups.push(group);
    }
    groups
}

fn describe(
    edges: &BTreeMap<PathBuf, BTreeMap<PathBuf, usize>>,
    group: &[PathBuf],
    root: &Path,
) -> String {
    let name = |p: &PathBuf| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let mut lines = vec![group.iter().map(name).collect::<Vec<_>>().join(" ↔ ")];
    for from in group {
        for (to, line) in &edges[from] {
            if group.contains(to) {
                lines.push(format!("  {}:{line} uses {}", name(from), name(to)));
            }
        }
    }
    lines.join("\n")
}

/// Every library and program root of the workspace's packages.
fn crate_roots() -> Vec<PathBuf> {
    let meta = metadata();
    let mut roots = Vec::new();
    for p in meta["packages"].as_array().expect("packages") {
        for t in p["targets"].as_array().into_iter().flatten() {
            let kinds = t["kind"].as_array().cloned().unwrap_or_default();
            if kinds.iter().any(|k| k == "lib" || k == "bin") {
                roots.push(PathBuf::from(t["src_path"].as_str().expect("src_path")));
            }
        }
    }
    roots
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let root = repo();
    let mut found = Vec::new();
    let mut counted = 0;
    for crate_root in crate_roots() {
        let files = load(&crate_root);
        counted += files.says.len();
        let edges = files.edges();
        for group in cycles(&edges) {
            found.push(describe(&edges, &group, &root));
        }
    }
    assert!(counted > 100, "only {counted} files were read");
    assert!(
        found.is_empty(),
        "files that import each other:\n{}",
        found.join("\n")
    );
}

/// A made-up crate in a temporary folder, to show the reader sees what it must.
fn crate_of(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(&path, text).expect("a file written");
    }
    let root = dir.path().join("lib.rs");
    (dir, root)
}

fn cycles_of(files: &[(&str, &str)]) -> Vec<Vec<String>> {
    let (_dir, root) = crate_of(files);
    let base = root.parent().expect("a folder").to_path_buf();
    let loaded = load(&root);
    cycles(&loaded.edges())
        .into_iter()
        .map(|g| {
            g.iter()
                .map(|p| p.strip_prefix(&base).unwrap_or(p).display().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn imports_in_braces_through_re_exports_and_from_a_parent_are_seen() {
    // Brace groups.
    let braces = cycles_of(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        (
            "a.rs",
            "use crate::{b::{Thing, other}};\npub struct Mine;\n",
        ),
        ("b.rs", "use crate::{a::Mine as M};\npub struct Thing;\n"),
    ]);
    assert_eq!(braces, vec![vec!["a.rs".to_owned(), "b.rs".to_owned()]]);
    // A re-export at the root leads to the file that defines the name.
    let reexport = cycles_of(&[
        ("lib.rs", "mod a;\nmod b;\npub use b::Thing;\n"),
        ("a.rs", "pub fn f(t: crate::Thing) {}\n"),
        (
            "b.rs",
            "pub struct Thing;\nfn g() { crate::a::f(Thing); }\n",
        ),
    ]);
    assert_eq!(reexport, vec![vec!["a.rs".to_owned(), "b.rs".to_owned()]]);
    // A child that asks its parent's mod.rs, which calls the child.
    let parent = cycles_of(&[
        ("lib.rs", "mod judge;\n"),
        (
            "judge/mod.rs",
            "mod site;\npub fn help() {}\nfn run() { site::go(); }\n",
        ),
        ("judge/site.rs", "pub fn go() { super::help(); }\n"),
    ]);
    assert_eq!(
        parent,
        vec![vec!["judge/mod.rs".to_owned(), "judge/site.rs".to_owned()]]
    );
}

#[test]
fn one_way_imports_strings_comments_and_a_files_own_tests_are_not_cycles() {
    let clean = cycles_of(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        (
            "a.rs",
            "use crate::b::Thing;\n// crate::a::x in a comment\npub fn f() -> Thing { Thing }\n",
        ),
        (
            "b.rs",
            "pub struct Thing;\nconst S: &str = \"crate::a::f\";\nconst R: &str = r#\"crate::a::f \"x\"\"#;\n\
             fn l<'a>(x: &'a str) -> char { let _ = x; '{' }\n\
             #[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { let _ = Thing; }\n}\n",
        ),
    ]);
    assert!(clean.is_empty(), "{clean:?}");
}
