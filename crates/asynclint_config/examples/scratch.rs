use std::path::Path;
fn main() {
    for t in ["selekt = []\n", "a = 1\nb = = 2\n", "select = [\"AIO100\"]\nignore = [\n", "ignore = \"x\"", "target-version = \"py37\"", "[per-file-ignores]\nx = \"AIO1\"", "select = [1]", "[[select]]\n", "a = 1\na = 2\n", "respect-gitignore = \"yes\""] {
        println!("{}", asynclint_config::Options::from_toml(Path::new("a.toml"), t).unwrap_err());
    }
    let dir = std::env::temp_dir().join("acfg_scratch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("pyproject.toml"), "[project]\nname='x'\n\n[tool.asynclint]\nselect=[]\nfoo = 1\n").unwrap();
    println!("{}", asynclint_config::ConfigFile::load(&dir.join("pyproject.toml")).unwrap_err());
    std::fs::write(dir.join("pyproject.toml"), "[project]\nname='x'\n\n[tool.asynclint]\nselect=[]\n[tool.asynclint.per-file-ignores]\n'a' = ['x']\n[tool.asynclint.foo]\n").unwrap();
    println!("{}", asynclint_config::ConfigFile::load(&dir.join("pyproject.toml")).unwrap_err());
    std::fs::write(dir.join("pyproject.toml"), "tool.asynclint = 3\n").unwrap();
    println!("{}", asynclint_config::ConfigFile::load(&dir.join("pyproject.toml")).unwrap_err());
    std::fs::remove_dir_all(&dir).unwrap();
}
