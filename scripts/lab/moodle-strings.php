<?php
// Records, per Moodle version, the few language strings the wizard's checklists name, as Moodle
// writes them, into ui/src/strings/moodle-strings.json. Only the keys that
// ui/src/strings/checklists.ts references (m("component:identifier"), or a const …_KEY = "…") are
// recorded; Moodle's code itself is never copied.
//
//   php scripts/lab/moodle-strings.php            # writes ui/src/strings/moodle-strings.json
//   php scripts/lab/moodle-strings.php --check    # exit 1 if the file differs from what it would write
//
// Sources: git copies (a clone or a bare mirror) of the public repositories moodle-lab builds
// from, named by environment variables; read with `git show`, never executed:
//   MOODLE_401_GIT  raihankahfi/moodle-401, its first commit (4.1.20, Build 20250811)
//   MOODLE_405_GIT  jaindra123/lms, its first commit (4.5.11+, Build 20260501)
//   MOODLE_500_GIT  mrmelhay/Moodle-5.0, HEAD (5.0, Build 20250414)
//   USERKEY_GIT     catalyst/moodle-auth_userkey, the commit whose version.php first says
//                   2022081901 (the same plugin in every version's record)
//
// Keys: "component:identifier", component as the lang file is named: moodle (lang/en/moodle.php),
// admin, webservice, auth, plugin, form, repository (lang/en/<component>.php), or a plugin's
// frankenstyle name (tool_installaddon, auth_webservice, webservice_rest, auth_userkey).
// One key is not a language string: "auth_userkey:db/services.php" is the name of the service
// the plugin declares in db/services.php, which Moodle shows as it is.
// The strings are parsed with PHP's tokenizer (string literals and their concatenation only);
// an interpolated string ({$a}) is kept as Moodle writes it.

const ROOT = __DIR__ . '/../..';
const OUT = ROOT . '/ui/src/strings/moodle-strings.json';
const CHECKLISTS = ROOT . '/ui/src/strings/checklists.ts';
const USERKEY_VERSION = '2022081901';

$versions = [
    '4.1' => [required_git('MOODLE_401_GIT'), 'first'],
    '4.5' => [required_git('MOODLE_405_GIT'), 'first'],
    '5.0' => [required_git('MOODLE_500_GIT'), 'HEAD'],
];
$userkeygit = required_git('USERKEY_GIT');

/** The git directory an environment variable names; exit 2 with the usage when it is not set. */
function required_git(string $var): string {
    $dir = getenv($var);
    if ($dir === false || $dir === '') {
        fwrite(STDERR, "set $var to a git copy of its repository (see the comment at the top of this script)\n");
        exit(2);
    }
    return $dir;
}

// Plugin types whose language files the checklists use, and where they live in Moodle's tree.
const PLUGIN_DIRS = ['tool' => 'admin/tool', 'auth' => 'auth', 'webservice' => 'webservice', 'local' => 'local'];

function fail(string $why): never {
    fwrite(STDERR, "moodle-strings: $why\n");
    exit(2);
}

function git(string $dir, string ...$args): ?string {
    $cmd = 'git --git-dir=' . escapeshellarg($dir);
    foreach ($args as $a) {
        $cmd .= ' ' . escapeshellarg($a);
    }
    $out = [];
    exec($cmd . ' 2>/dev/null', $out, $rc);
    return $rc === 0 ? implode("\n", $out) . "\n" : null;
}

function resolve_commit(string $dir, string $which): string {
    if ($which === 'HEAD') {
        $c = git($dir, 'rev-parse', 'HEAD');
    } else {
        $all = git($dir, 'rev-list', '--max-parents=0', 'HEAD');
        $lines = $all === null ? [] : array_values(array_filter(explode("\n", $all)));
        $c = $lines ? end($lines) : null;
    }
    if ($c === null || !preg_match('/^[0-9a-f]{40}$/', trim($c))) {
        fail("no commit $which in $dir");
    }
    return trim($c);
}

/** The oldest commit whose version.php declares $plugin->version = $version. */
function userkey_commit(string $dir, string $version): string {
    $log = git($dir, 'log', '--reverse', '--format=%H', 'HEAD', '--', 'version.php') ?? '';
    foreach (array_filter(explode("\n", $log)) as $c) {
        $v = git($dir, 'show', "$c:version.php") ?? '';
        if (preg_match('/\$plugin->version\s*=\s*' . preg_quote($version, '/') . '\s*;/', $v)) {
            return $c;
        }
    }
    fail("no commit of $dir has version $version");
}

/** A PHP string literal's value (single or double quoted, no variables). */
function literal(string $tok): ?string {
    $q = $tok[0];
    $body = substr($tok, 1, -1);
    if ($q === "'") {
        return preg_replace_callback("/\\\\([\\\\'])/", fn($m) => $m[1], $body);
    }
    if ($q === '"') {
        if (preg_match('/(?<!\\\\)\$/', $body)) {
            return null; // would interpolate a PHP variable: not a plain string
        }
        $map = ['n' => "\n", 't' => "\t", 'r' => "\r", '\\' => '\\', '"' => '"', '$' => '$'];
        return preg_replace_callback('/\\\\(.)/s', fn($m) => $map[$m[1]] ?? '\\' . $m[1], $body);
    }
    return null;
}

/** Every $string['id'] = 'literal' [. 'literal']...; of a lang file, without running it. */
function parse_lang(string $php): array {
    $t = array_values(array_filter(token_get_all($php), fn($x) => !(is_array($x)
        && in_array($x[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true))));
    $text = fn($x) => is_array($x) ? $x[1] : $x;
    $strings = [];
    for ($i = 0; $i + 5 < count($t); $i++) {
        if (!(is_array($t[$i]) && $t[$i][0] === T_VARIABLE && $t[$i][1] === '$string')) {
            continue;
        }
        if ($text($t[$i + 1]) !== '[' || !is_array($t[$i + 2]) || $t[$i + 2][0] !== T_CONSTANT_ENCAPSED_STRING
            || $text($t[$i + 3]) !== ']' || $text($t[$i + 4]) !== '=') {
            continue;
        }
        $id = literal($t[$i + 2][1]);
        $value = '';
        $j = $i + 5;
        $ok = true;
        while (true) {
            if (!is_array($t[$j]) || $t[$j][0] !== T_CONSTANT_ENCAPSED_STRING || ($part = literal($t[$j][1])) === null) {
                $ok = false;
                break;
            }
            $value .= $part;
            $j++;
            if ($text($t[$j]) === '.') {
                $j++;
                continue;
            }
            $ok = $text($t[$j]) === ';';
            break;
        }
        if ($ok && $id !== null) {
            $strings[$id] = $value;
        }
        $i = $j;
    }
    return $strings;
}

/** The first service name in a db/services.php: $services = [ 'Name' => [...] ]. */
function parse_service_name(string $php): ?string {
    $t = array_values(array_filter(token_get_all($php), fn($x) => !(is_array($x)
        && in_array($x[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true))));
    $seen = false;
    for ($i = 0; $i + 1 < count($t); $i++) {
        if (is_array($t[$i]) && $t[$i][0] === T_VARIABLE && $t[$i][1] === '$services') {
            $seen = true;
        }
        if ($seen && is_array($t[$i]) && $t[$i][0] === T_CONSTANT_ENCAPSED_STRING
            && is_array($t[$i + 1]) && $t[$i + 1][0] === T_DOUBLE_ARROW) {
            return literal($t[$i][1]);
        }
    }
    return null;
}

function lang_path(string $component): string {
    if (!str_contains($component, '_')) {
        return "lang/en/$component.php";
    }
    [$type, $name] = explode('_', $component, 2);
    if (!isset(PLUGIN_DIRS[$type])) {
        fail("unknown plugin type of $component");
    }
    return PLUGIN_DIRS[$type] . "/$name/lang/en/$component.php";
}

// The keys the checklists reference.
$ts = file_get_contents(CHECKLISTS);
if ($ts === false) {
    fail('cannot read ' . CHECKLISTS);
}
preg_match_all('/(?:\bm\(|_KEY = )\s*"([a-z0-9_]+:[a-z0-9_\/.]+)"/', $ts, $found);
$keys = array_values(array_unique($found[1]));
sort($keys);
if (!$keys) {
    fail('no m("component:identifier") keys in ' . CHECKLISTS);
}

$ukcommit = userkey_commit($userkeygit, USERKEY_VERSION);
$record = [];
$missing = [];
foreach ($versions as $v => [$dir, $which]) {
    $commit = resolve_commit($dir, $which);
    $files = [];
    $record[$v] = [];
    foreach ($keys as $key) {
        [$component, $id] = explode(':', $key, 2);
        if ($component === 'auth_userkey') {
            $src = [$userkeygit, $ukcommit, $id === 'db/services.php' ? 'db/services.php' : 'lang/en/auth_userkey.php'];
        } else {
            $src = [$dir, $commit, lang_path($component)];
        }
        $cache = implode(':', $src);
        if (!array_key_exists($cache, $files)) {
            $php = git($src[0], 'show', "{$src[1]}:{$src[2]}");
            $files[$cache] = $php === null ? null
                : ($src[2] === 'db/services.php' ? ['db/services.php' => parse_service_name($php)] : parse_lang($php));
        }
        $value = $files[$cache][$id] ?? null;
        if ($value === null) {
            $missing[] = "$v $key";
            continue;
        }
        $record[$v][$key] = $value;
    }
}

$json = json_encode($record, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
$json = preg_replace_callback('/^( +)/m', fn($m) => substr($m[1], 0, intdiv(strlen($m[1]), 2)), $json);
foreach ($missing as $m) {
    fwrite(STDERR, "moodle-strings: not in this version: $m\n");
}
if (in_array('--check', $argv, true)) {
    $old = @file_get_contents(OUT);
    if ($old !== $json) {
        fwrite(STDERR, "moodle-strings: " . OUT . " is not what the sources say; run without --check\n");
        exit(1);
    }
    echo "moodle-strings: up to date (" . count($keys) . " keys)\n";
    exit(0);
}
file_put_contents(OUT, $json);
echo "moodle-strings: wrote " . count($keys) . " keys for " . implode(', ', array_keys($versions))
    . " (auth_userkey at $ukcommit)\n";
