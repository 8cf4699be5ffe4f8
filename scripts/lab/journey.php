<?php
// One step of the openSIS integration guide, applied to a lab Moodle (4.1 .. 5.1) built with
// moodle-lab's build.sh --fresh, the way a first-time admin does it in Moodle's UI, with the values
// Moodle's own forms save. LAB selects the site (as for moodle-lab's configure.php).
//   LAB=<lab site folder> php journey.php STEP
//   LAB=<lab site folder> php journey.php list
// Every step ends with admin/cli/purge_caches.php (as moodle-lab's fault.php does).
// MOODLE_LAB (default: shared/moodle-lab beside the repository) is the kit whose common.php is used.
define('CLI_SCRIPT', true);

$steps = [
    'install_userkey'  => "3/4: LAB/userkey.zip unpacked into auth/userkey, admin/cli/upgrade.php --non-interactive (the plugin's defaults, as the 'New settings' page saved unchanged)",
    'enable_userkey'   => "6: auth 'userkey' enabled (Manage authentication, the eye icon)",
    'set_userkey'      => '7: auth_userkey settings saved: mappingfield email, keylifetime 120, iprestriction 0, updateuser 0',
    'enable_wsauth'    => "8: auth 'webservice' enabled",
    'create_service'   => "9: external service 'opensis' (shortname opensis) added with only name and short name typed: the form's unticked boxes (enabled 0, restrictedusers 0, downloadfiles 0, uploadfiles 0, no required capability)",
    'service_options'  => "10: service 'opensis' edited: enabled 1, restrictedusers 0, downloadfiles 1, uploadfiles 1",
    'restrict_service' => "10 done wrong: service 'opensis' edited: enabled 1, restrictedusers 1 (nobody authorised), downloadfiles 1, uploadfiles 1",
    'enable_ws'        => '11: enablewebservices = 1',
    'authorise_admin'  => "12: admin added to the authorised users of the 'User key authentication web service'",
    'enable_rest'      => "13: REST protocol enabled",
    'add_functions'    => "14: every function of required-functions.txt that the site has added to 'opensis'",
    'token_opensis'    => "15: a token of the admin for 'opensis', no expiry (as Manage tokens > Create token saves it); MOODLE_OPENSIS_TOKEN in LAB/tokens.env",
    'token_userkey'    => "15: a token of the admin for the userkey service, no expiry; MOODLE_USERKEY_TOKEN in LAB/tokens.env",
];

$step = $argv[1] ?? '';
if ($step === '' || $step === 'list' || !isset($steps[$step])) {
    foreach ($steps as $k => $d) {
        echo str_pad($k, 17) . " $d\n";
    }
    exit($step === 'list' ? 0 : 2);
}

$kit = getenv('MOODLE_LAB') ?: dirname(__DIR__, 3) . '/shared/moodle-lab';
$lab = getenv('LAB') ?: (fwrite(STDERR, "set LAB to the lab's folder\n") && exit(2));
$moodle = "$lab/moodle";
$webroot = is_dir("$moodle/public/admin") ? "$moodle/public" : $moodle;
$clidir = is_dir("$moodle/admin/cli") ? $moodle : $webroot;

function sh(string $cmd): void {
    fwrite(STDOUT, "+ $cmd\n");
    passthru($cmd, $rc);
    if ($rc !== 0) {
        fwrite(STDERR, "command failed (rc $rc): $cmd\n");
        exit(1);
    }
}
function purge(): void {
    sh('cd ' . escapeshellarg($GLOBALS['clidir']) . ' && php admin/cli/purge_caches.php');
}

if ($step === 'install_userkey') {
    // What the plugin installer does with the uploaded ZIP: unpack it into auth/ (the ZIP holds userkey/),
    // then the upgrade (the admin's "Upgrade Moodle database now"; the CLI also applies the new
    // settings' defaults), then what saving the "New settings" page unchanged adds (below).
    if (file_exists("$webroot/auth/userkey/version.php")) {
        fwrite(STDERR, "auth/userkey is already there\n");
        exit(1);
    }
    sh('cd ' . escapeshellarg("$webroot/auth") . ' && unzip -q ' . escapeshellarg("$lab/userkey.zip"));
    sh('cd ' . escapeshellarg($clidir) . ' && php admin/cli/upgrade.php --non-interactive');
}

require($kit . '/common.php');
global $DB, $CFG;
$ws = new webservice();

/** What the admin settings pages do on save: set_config plus a config_log row, only for a change. */
function journey_set(string $name, $value, ?string $plugin = null): void {
    $old = get_config($plugin ?? 'core', $name);
    if ($old !== false && (string) $old === (string) $value) {
        return;
    }
    set_config($name, $value, $plugin);
    add_to_config_log($name, $old === false ? null : $old, $value, $plugin ?? 'core');
    lab_say(($plugin ? "$plugin " : '') . "$name: " . var_export($old, true) . " -> '$value'");
}

/** The token Manage tokens > Create token saves: permanent, no IP restriction, no expiry, empty name. */
function journey_token(stdClass $service, string $envkey): void {
    global $DB, $OUTPUT;
    $admin = get_admin();
    $ws = new webservice();
    // admin/webservice/tokens.php: the check before the token is made.
    if ($service->restrictedusers && !$ws->get_ws_authorised_user($service->id, $admin->id)) {
        $msg = get_string('usernotallowed', 'webservice', $service->name);
        fwrite(STDERR, "REFUSED (tokens.php's check): $msg\n");
        exit(3);
    }
    $token = lab_generate_token($service, (int) $admin->id, '');
    $t = lab_read_tokens();
    $t[$envkey] = $token;
    lab_write_tokens($t);
    lab_say("$envkey: a new token of the admin for '{$service->name}' written to " . LAB_TOKENS);
}

function journey_opensis(): stdClass {
    $s = lab_opensis_service(false);
    if (!$s) {
        fwrite(STDERR, "service 'opensis' does not exist yet (create_service)\n");
        exit(1);
    }
    return $s;
}

switch ($step) {
    case 'install_userkey':
        // The CLI upgrade applied the defaults it can: keylifetime 60, ... but not 'mappingfield', whose
        // default (0) is none of its choices (username, email, idnumber), so admin_apply_default_settings()
        // leaves it unset. The "New settings" page shows that select with no option marked, so the browser
        // submits its first option: saving the page unchanged stores mappingfield = username.
        if (get_config('auth_userkey', 'mappingfield') === false) {
            journey_set('mappingfield', 'username', 'auth_userkey');
        }
        lab_say('auth_userkey: mappingfield ' . var_export(get_config('auth_userkey', 'mappingfield'), true)
            . ', keylifetime ' . var_export(get_config('auth_userkey', 'keylifetime'), true));
        break;
    case 'enable_userkey':
        if (!lab_userkey_installed()) {
            fwrite(STDERR, "auth_userkey is not installed (install_userkey)\n");
            exit(1);
        }
        lab_enable_auth('userkey', true);
        break;
    case 'set_userkey':
        journey_set('mappingfield', 'email', 'auth_userkey');
        journey_set('keylifetime', 120, 'auth_userkey');
        journey_set('iprestriction', 0, 'auth_userkey');
        journey_set('updateuser', 0, 'auth_userkey');
        break;
    case 'enable_wsauth':
        lab_enable_auth('webservice', true);
        break;
    case 'create_service':
        if (lab_opensis_service(false)) {
            fwrite(STDERR, "service 'opensis' exists already\n");
            exit(1);
        }
        // admin/webservice/service.php with external_service_form: advcheckboxes unticked save 0,
        // 'norequiredcapability' is saved as ''.
        $id = $ws->add_external_service((object) [
            'name' => 'opensis', 'shortname' => LAB_OPENSIS_SHORTNAME, 'enabled' => 0,
            'restrictedusers' => 0, 'downloadfiles' => 0, 'uploadfiles' => 0, 'requiredcapability' => '',
        ]);
        lab_say("created external service 'opensis' (id $id): enabled 0, restrictedusers 0, files 0/0");
        break;
    case 'service_options':
    case 'restrict_service':
        $s = journey_opensis();
        $s->enabled = 1;
        $s->restrictedusers = $step === 'restrict_service' ? 1 : 0;
        $s->downloadfiles = 1;
        $s->uploadfiles = 1;
        $ws->update_external_service($s);
        lab_say("service 'opensis': enabled 1, restrictedusers {$s->restrictedusers}, files 1/1; authorised users: "
            . $DB->count_records('external_services_users', ['externalserviceid' => $s->id]));
        break;
    case 'enable_ws':
        journey_set('enablewebservices', 1);
        break;
    case 'authorise_admin':
        $uks = lab_userkey_service();
        if (!$uks) {
            fwrite(STDERR, "the userkey service does not exist (install_userkey)\n");
            exit(1);
        }
        lab_add_authorised_admin($uks);
        break;
    case 'enable_rest':
        lab_enable_protocol('rest', true);
        break;
    case 'add_functions':
        $s = journey_opensis();
        $added = $missing = [];
        foreach (lab_required_functions() as $f) {
            if (!$DB->record_exists('external_functions', ['name' => $f])) {
                $missing[] = $f;
            } else if (!$ws->service_function_exists($f, $s->id)) {
                $ws->add_external_function_to_service($f, $s->id);
                $added[] = $f;
            }
        }
        lab_say(count($added) . ' functions added to opensis; not on this site: ' . implode(' ', $missing));
        break;
    case 'token_opensis':
        journey_token(journey_opensis(), 'MOODLE_OPENSIS_TOKEN');
        break;
    case 'token_userkey':
        $uks = lab_userkey_service();
        if (!$uks) {
            fwrite(STDERR, "the userkey service does not exist (install_userkey)\n");
            exit(1);
        }
        journey_token($uks, 'MOODLE_USERKEY_TOKEN');
        break;
}
purge();
