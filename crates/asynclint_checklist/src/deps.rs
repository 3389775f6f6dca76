//! Declared dependencies and tool configuration, read from the project's files:
//! `pyproject.toml` (PEP 621 dependencies and extras, PEP 735 dependency groups, Poetry, uv and
//! PDM dev dependencies), `requirements*.txt` (also `requirements/*.txt`, following `-r`),
//! `setup.cfg` (`install_requires`, `extras_require`, `tests_require`), and as a fallback the
//! `Requires-Dist` lines of an unpacked release (`PKG-INFO`, `*.dist-info/METADATA`).
//!
//! Unreadable or malformed files are skipped: the report then says no dependency was found.

use std::path::{Path, PathBuf};

use crate::report::{Dependency, Location};

/// Dependencies found under a project root.
#[derive(Debug, Default)]
pub struct Dependencies {
    pub sources: Vec<PathBuf>,
    pub list: Vec<Dependency>,
}

impl Dependencies {
    /// Any declaration file was found (an empty list then means "declares nothing").
    pub fn declared(&self) -> bool {
        !self.sources.is_empty()
    }

    /// The first declaration of each of `names` (normalised) that is declared, in the order
    /// of `names`.
    pub fn find<'a>(&'a self, names: &[&str]) -> Vec<&'a Dependency> {
        let mut found: Vec<&Dependency> = Vec::new();
        for name in names {
            if let Some(dep) = self.list.iter().find(|d| d.name == *name)
                && !found.iter().any(|f| f.name == dep.name)
            {
                found.push(dep);
            }
        }
        found
    }
}

/// The directory whose declarations describe the code at `start`: the nearest directory,
/// from `start` upwards, with a project marker (`pyproject.toml`, `setup.py`, `setup.cfg`) or
/// a dependency declaration (`requirements*.txt`, `PKG-INFO`, `*.dist-info`). An unpacked
/// release inside another project is its own project.
pub fn project_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| is_project_dir(dir))
        .map(Path::to_path_buf)
}

fn is_project_dir(dir: &Path) -> bool {
    if ["pyproject.toml", "setup.py", "setup.cfg", "PKG-INFO"]
        .iter()
        .any(|m| dir.join(m).is_file())
    {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        (name.contains("requirements") && name.ends_with(".txt")) || name.ends_with(".dist-info")
    })
}

/// Reads every supported file under `root`. `display` turns paths into report paths.
pub fn read(root: &Path, display: &dyn Fn(&Path) -> String) -> Dependencies {
    let mut deps = Dependencies::default();
    let pyproject = root.join("pyproject.toml");
    if let Ok(text) = std::fs::read_to_string(&pyproject)
        && let Ok(doc) = text.parse::<toml::Table>()
    {
        let before = deps.list.len();
        read_pyproject(&doc, &text, &display(&pyproject), &mut deps.list);
        if deps.list.len() > before || declares_dependencies(&doc) {
            deps.sources.push(pyproject);
        }
    }
    for file in requirement_files(root) {
        read_requirements(&file, display, &mut deps);
    }
    let setup_cfg = root.join("setup.cfg");
    if let Ok(text) = std::fs::read_to_string(&setup_cfg) {
        let before = deps.list.len();
        read_setup_cfg(&text, &display(&setup_cfg), &mut deps.list);
        if deps.list.len() > before {
            deps.sources.push(setup_cfg);
        }
    }
    if deps.list.is_empty() {
        // An unpacked sdist or wheel: its metadata is the declaration.
        for metadata in metadata_files(root) {
            if let Ok(text) = std::fs::read_to_string(&metadata) {
                let before = deps.list.len();
                read_metadata(&text, &display(&metadata), &mut deps.list);
                if deps.list.len() > before {
                    deps.sources.push(metadata);
                }
            }
        }
    }
    deps
}

fn declares_dependencies(doc: &toml::Table) -> bool {
    let project = doc.get("project").and_then(toml::Value::as_table);
    project.is_some_and(|p| p.contains_key("dependencies"))
        || doc.contains_key("dependency-groups")
        || doc
            .get("tool")
            .and_then(|t| t.get("poetry"))
            .is_some_and(|p| p.get("dependencies").is_some())
}

fn strings(value: Option<&toml::Value>) -> Vec<String> {
    value
        .and_then(toml::Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(toml::Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn read_pyproject(doc: &toml::Table, text: &str, path: &str, out: &mut Vec<Dependency>) {
    let mut push = |requirement: &str, group: String| {
        if let Some(dep) = dependency(requirement, group, path, find_line(text, requirement)) {
            out.push(dep);
        }
    };
    if let Some(project) = doc.get("project").and_then(toml::Value::as_table) {
        for req in strings(project.get("dependencies")) {
            push(&req, "project".to_string());
        }
        if let Some(extras) = project
            .get("optional-dependencies")
            .and_then(toml::Value::as_table)
        {
            for (extra, list) in extras {
                for req in strings(Some(list)) {
                    push(&req, format!("optional:{extra}"));
                }
            }
        }
    }
    // PEP 735; `{include-group = "..."}` entries repeat other groups and are skipped.
    if let Some(groups) = doc.get("dependency-groups").and_then(toml::Value::as_table) {
        for (group, list) in groups {
            for req in strings(Some(list)) {
                push(&req, format!("group:{group}"));
            }
        }
    }
    let Some(tool) = doc.get("tool").and_then(toml::Value::as_table) else {
        return;
    };
    if let Some(uv) = tool.get("uv").and_then(toml::Value::as_table) {
        for req in strings(uv.get("dev-dependencies")) {
            push(&req, "uv:dev".to_string());
        }
    }
    if let Some(pdm) = tool
        .get("pdm")
        .and_then(|p| p.get("dev-dependencies"))
        .and_then(toml::Value::as_table)
    {
        for (group, list) in pdm {
            for req in strings(Some(list)) {
                push(&req, format!("pdm:{group}"));
            }
        }
    }
    if let Some(poetry) = tool.get("poetry").and_then(toml::Value::as_table) {
        read_poetry_table(poetry.get("dependencies"), "poetry", text, path, out);
        read_poetry_table(
            poetry.get("dev-dependencies"),
            "poetry:dev",
            text,
            path,
            out,
        );
        if let Some(groups) = poetry.get("group").and_then(toml::Value::as_table) {
            for (group, table) in groups {
                let group = format!("poetry-group:{group}");
                read_poetry_table(table.get("dependencies"), &group, text, path, out);
            }
        }
    }
}

/// `name = "^1.0"` or `name = { version = "^1.0", extras = [...] }`.
fn read_poetry_table(
    table: Option<&toml::Value>,
    group: &str,
    text: &str,
    path: &str,
    out: &mut Vec<Dependency>,
) {
    let Some(table) = table.and_then(toml::Value::as_table) else {
        return;
    };
    for (name, spec) in table {
        if name == "python" {
            continue;
        }
        let extras = strings(spec.get("extras"));
        let version = match spec {
            toml::Value::String(v) => v.as_str(),
            other => other
                .get("version")
                .and_then(toml::Value::as_str)
                .unwrap_or(""),
        };
        let mut requirement = name.clone();
        if !extras.is_empty() {
            requirement.push_str(&format!("[{}]", extras.join(",")));
        }
        if !version.is_empty() && version != "*" {
            requirement.push(' ');
            requirement.push_str(version);
        }
        let line = find_key_line(text, name);
        if let Some(dep) = dependency(&requirement, group.to_string(), path, line) {
            out.push(dep);
        }
    }
}

/// `*requirements*.txt` / `.in` in the root, then `requirements/*.txt`, each sorted.
fn requirement_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let is_txt = |p: &Path| p.extension().is_some_and(|e| e == "txt" || e == "in");
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            if path.is_file() && name.contains("requirements") && is_txt(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    for dir in ["requirements", "reqs"] {
        let mut nested = Vec::new();
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_file() && is_txt(&path) {
                    nested.push(path);
                }
            }
        }
        nested.sort();
        files.extend(nested);
    }
    files
}

fn read_requirements(file: &Path, display: &dyn Fn(&Path) -> String, deps: &mut Dependencies) {
    if deps.sources.iter().any(|s| s == file) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return;
    };
    deps.sources.push(file.to_path_buf());
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = display(file);
    let mut includes = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line
            .strip_prefix("--requirement")
            .or_else(|| line.strip_prefix("-r"))
        {
            let rest = rest.trim_start_matches('=').trim();
            if let Some(parent) = file.parent() {
                includes.push(parent.join(rest));
            }
            continue;
        }
        if line.starts_with('-') {
            continue; // -c, -e, --index-url, ...
        }
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if let Some(dep) = dependency(line, format!("requirements:{name}"), &path, Some(line_no)) {
            deps.list.push(dep);
        }
    }
    for include in includes {
        read_requirements(&include, display, deps);
    }
}

fn read_setup_cfg(text: &str, path: &str, out: &mut Vec<Dependency>) {
    let mut section = String::new();
    let mut key = String::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            section = header.trim().to_string();
            key.clear();
            continue;
        }
        let value = if raw.starts_with(char::is_whitespace) {
            trimmed
        } else if let Some((k, v)) = trimmed.split_once(['=', ':']) {
            key = k.trim().to_string();
            v.trim()
        } else {
            continue;
        };
        let group = match (section.as_str(), key.as_str()) {
            ("options", "install_requires") => "setup.cfg".to_string(),
            ("options", "tests_require") => "setup.cfg:tests".to_string(),
            ("options.extras_require", extra) => format!("setup.cfg:{extra}"),
            _ => continue,
        };
        // Environment markers (`; python_version < "3.11"`) do not change what is declared.
        let requirement = value.split(';').next().unwrap_or("").trim();
        if requirement.is_empty() || requirement.starts_with('#') {
            continue;
        }
        if let Some(dep) = dependency(requirement, group, path, Some(line_no)) {
            out.push(dep);
        }
    }
}

fn metadata_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let pkg_info = root.join("PKG-INFO");
    if pkg_info.is_file() {
        files.push(pkg_info);
    }
    if let Ok(entries) = std::fs::read_dir(root) {
        let mut dist_infos: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "dist-info" || e == "egg-info")
            })
            .collect();
        dist_infos.sort();
        for dir in dist_infos {
            for name in ["METADATA", "PKG-INFO"] {
                let file = dir.join(name);
                if file.is_file() {
                    files.push(file);
                }
            }
        }
    }
    files
}

fn read_metadata(text: &str, path: &str, out: &mut Vec<Dependency>) {
    for (index, line) in text.lines().enumerate() {
        if line.is_empty() {
            break; // the body (long description) follows the headers
        }
        let Some(value) = line.strip_prefix("Requires-Dist:") else {
            continue;
        };
        let (requirement, marker) = match value.split_once(';') {
            Some((r, m)) => (r.trim(), m),
            None => (value.trim(), ""),
        };
        let group = match marker.split("extra ==").nth(1) {
            Some(extra) => format!(
                "metadata:{}",
                extra
                    .trim()
                    .trim_matches(|c| matches!(c, '"' | '\'' | ')' | ' '))
            ),
            None => "metadata".to_string(),
        };
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if let Some(dep) = dependency(requirement, group, path, Some(line_no)) {
            out.push(dep);
        }
    }
}

/// A dependency from a PEP 508 requirement (its name; the rest is kept verbatim).
fn dependency(
    requirement: &str,
    group: String,
    path: &str,
    line: Option<u32>,
) -> Option<Dependency> {
    let requirement = requirement.trim();
    let name: String = requirement
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    if name.is_empty() {
        return None;
    }
    let dev = is_dev_group(&group);
    Some(Dependency {
        name: normalize(&name),
        requirement: requirement.to_string(),
        group,
        dev,
        source: Location {
            path: path.to_string(),
            line: line.unwrap_or(0),
            detail: None,
        },
    })
}

/// PEP 503 normalisation.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !out.is_empty() {
                out.push('-');
            }
            separator = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn is_dev_group(group: &str) -> bool {
    let name = group
        .rsplit(':')
        .next()
        .unwrap_or(group)
        .to_ascii_lowercase();
    [
        "dev", "test", "lint", "typing", "type", "docs", "ci", "check",
    ]
    .iter()
    .any(|w| name.contains(w))
}

/// The first line of `text` containing `needle` (quoted, as TOML arrays write it).
fn find_line(text: &str, needle: &str) -> Option<u32> {
    let quoted = [format!("\"{needle}\""), format!("'{needle}'")];
    text.lines()
        .position(|line| quoted.iter().any(|q| line.contains(q.as_str())))
        .or_else(|| text.lines().position(|line| line.contains(needle)))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The first line defining the TOML key `name = ...`.
fn find_key_line(text: &str, name: &str) -> Option<u32> {
    text.lines()
        .position(|line| {
            let key = line.trim_start().trim_start_matches(['"', '\'']);
            key.strip_prefix(name).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with('=')
            })
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Type-checker and IDE configuration (env.ide): `[tool.mypy]`, `[tool.pyright]`,
/// `[tool.basedpyright]`, `mypy.ini`, `.mypy.ini`, `pyrightconfig.json`, `setup.cfg [mypy]`,
/// `.vscode/settings.json`, `.idea/`.
pub fn type_checkers(root: &Path, display: &dyn Fn(&Path) -> String) -> Vec<Location> {
    let mut found = Vec::new();
    let pyproject = root.join("pyproject.toml");
    if let Ok(text) = std::fs::read_to_string(&pyproject) {
        for table in [
            "tool.mypy",
            "tool.pyright",
            "tool.basedpyright",
            "tool.pyre",
        ] {
            let header = format!("[{table}]");
            if let Some(index) = text.lines().position(|l| l.trim() == header) {
                found.push(Location {
                    path: display(&pyproject),
                    line: u32::try_from(index + 1).unwrap_or(0),
                    detail: Some(header),
                });
            }
        }
    }
    let setup_cfg = root.join("setup.cfg");
    if let Ok(text) = std::fs::read_to_string(&setup_cfg)
        && let Some(index) = text.lines().position(|l| l.trim() == "[mypy]")
    {
        found.push(Location {
            path: display(&setup_cfg),
            line: u32::try_from(index + 1).unwrap_or(0),
            detail: Some("[mypy]".to_string()),
        });
    }
    for name in [
        "mypy.ini",
        ".mypy.ini",
        "pyrightconfig.json",
        ".vscode/settings.json",
        ".idea",
    ] {
        let path = root.join(name);
        if path.exists() {
            found.push(Location {
                path: display(&path),
                line: 0,
                detail: None,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(deps: &[Dependency]) -> Vec<(String, String)> {
        deps.iter()
            .map(|d| (d.name.clone(), d.group.clone()))
            .collect()
    }

    fn pairs<const N: usize>(items: [(&str, &str); N]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn pyproject_tables() {
        let text = r#"
[project]
dependencies = ["httpx[http2]>=0.27", "Async_PG ; python_version > '3.8'"]
[project.optional-dependencies]
db = ["aiosqlite"]
[dependency-groups]
dev = ["pytest-asyncio>=0.24", {include-group = "lint"}]
[tool.poetry.dependencies]
python = "^3.11"
aiohttp = { version = "^3.9", extras = ["speedups"] }
[tool.poetry.group.test.dependencies]
pytest-asyncio = "*"
"#;
        let doc: toml::Table = text.parse().unwrap();
        let mut out = Vec::new();
        read_pyproject(&doc, text, "pyproject.toml", &mut out);
        assert_eq!(
            names(&out),
            pairs([
                ("httpx", "project"),
                ("async-pg", "project"),
                ("aiosqlite", "optional:db"),
                ("pytest-asyncio", "group:dev"),
                ("aiohttp", "poetry"),
                ("pytest-asyncio", "poetry-group:test"),
            ])
        );
        assert_eq!(out[0].source.line, 3);
        assert_eq!(out[4].requirement, "aiohttp[speedups] ^3.9");
        assert_eq!(out[4].source.line, 10);
        assert!(out[3].dev && !out[0].dev);
    }

    #[test]
    fn setup_cfg_sections() {
        let text = "[metadata]\nname = x\n[options]\ninstall_requires =\n    aiohttp>=3\n    \
                    requests\ntests_require = pytest-asyncio\n[options.extras_require]\nredis \
                    =\n    redis[hiredis]\n";
        let mut out = Vec::new();
        read_setup_cfg(text, "setup.cfg", &mut out);
        assert_eq!(
            names(&out),
            pairs([
                ("aiohttp", "setup.cfg"),
                ("requests", "setup.cfg"),
                ("pytest-asyncio", "setup.cfg:tests"),
                ("redis", "setup.cfg:redis"),
            ])
        );
        assert_eq!(out[1].source.line, 6);
    }

    #[test]
    fn requirements_files_follow_includes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("requirements.txt"),
            "# runtime\naiohttp>=3.9  # server\n-r requirements/test.txt\n-e .\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("requirements")).unwrap();
        std::fs::write(
            dir.path().join("requirements/test.txt"),
            "pytest_asyncio==0.24\n",
        )
        .unwrap();
        let deps = read(dir.path(), &|p: &Path| {
            p.strip_prefix(dir.path()).unwrap().display().to_string()
        });
        assert_eq!(
            names(&deps.list),
            pairs([
                ("aiohttp", "requirements:requirements.txt"),
                ("pytest-asyncio", "requirements:test.txt"),
            ])
        );
        assert_eq!(deps.list[0].source.line, 2);
        assert_eq!(deps.sources.len(), 2);
    }

    #[test]
    fn metadata_headers() {
        let text = "Name: x\nRequires-Dist: aiohttp==3.9\nRequires-Dist: pytest-asyncio; extra \
                    == \"test\"\n\nRequires-Dist: ignored\n";
        let mut out = Vec::new();
        read_metadata(text, "METADATA", &mut out);
        assert_eq!(
            names(&out),
            pairs([("aiohttp", "metadata"), ("pytest-asyncio", "metadata:test")])
        );
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(normalize("pytest_asyncio"), "pytest-asyncio");
    }
}
