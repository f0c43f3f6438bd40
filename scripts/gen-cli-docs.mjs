#!/usr/bin/env node
// The man page (roff) and the bash completion of `bootstrap`, generated from the CLI's own commander
// definitions (makeProgram in src/cli/main.ts, compiled: run `npm run build` first), so every command
// and option the CLI has is in both and nothing else is.
//
//   node scripts/gen-cli-docs.mjs man FILE [MAIN_JS]               -> bootstrap.1
//   node scripts/gen-cli-docs.mjs bash-completion FILE [MAIN_JS]   -> completions/bootstrap
//
// MAIN_JS is the compiled src/cli/main.js to read (default: this tree's dist/).
// The man page's date is SOURCE_DATE_EPOCH's (reproducible builds), else today.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL, URL } from 'node:url';

const [what, out, mainJs] = process.argv.slice(2);
if (!['man', 'bash-completion'].includes(what ?? '') || !out) {
  console.error('usage: gen-cli-docs.mjs man|bash-completion FILE [MAIN_JS]');
  process.exit(2);
}

const main = mainJs ? pathToFileURL(resolve(mainJs)) : new URL('../dist/src/cli/main.js', import.meta.url);
const { makeProgram } = await import(main.href);
const program = makeProgram(() => {});
const help = program.createHelp();
/** The subcommands, without commander's implicit `help`. */
const commands = program.commands.filter((c) => !c._hidden);
const optionsOf = (cmd) => help.visibleOptions(cmd);
const argumentsOf = (cmd) => help.visibleArguments(cmd);

writeFileSync(out, what === 'man' ? manPage() : bashCompletion());

// ---------------------------------------------------------------------------------------------- man

/** Text for a roff line: backslashes escaped, option-like words with real minus signs. */
function roff(text) {
  return text
    .replace(/\\/g, '\\e')
    .replace(/(^|[\s(`"'[|])(--?[A-Za-z][\w-]*)/g, (_m, pre, word) => pre + word.replace(/-/g, '\\-'));
}

/** A line of text that cannot be taken for a roff request. */
function line(text) {
  const t = roff(text);
  return /^[.']/.test(t) ? '\\&' + t : t;
}

/** `--report <file>` as `\fB\-\-report\fR \fIfile\fR`. */
function term(flags) {
  return flags
    .split(/(,? +)/)
    .map((part) => {
      if (/^,? +$/.test(part)) return part;
      const arg = /^([<[])(.*?)([>\]])$/.exec(part);
      if (arg) return `${arg[1] === '[' ? '[' : ''}\\fI${roff(arg[2])}\\fR${arg[1] === '[' ? ']' : ''}`;
      return `\\fB${roff(part)}\\fR`;
    })
    .join('');
}

function argTerm(arg) {
  const name = `\\fI${roff(arg.name())}\\fR${arg.variadic ? '...' : ''}`;
  return arg.required ? name : `[${name}]`;
}

function manPage() {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? Math.floor(Date.now() / 1000));
  const date = new Date(epoch * 1000).toISOString().slice(0, 10);
  const version = program.version();
  const l = [];
  l.push(`.TH BOOTSTRAP 1 "${date}" "bootstrap ${version}" "User Commands"`);
  l.push('.SH NAME');
  l.push('bootstrap \\- build Debian images from bootstrap\\-vz manifests');
  l.push('.SH SYNOPSIS');
  l.push(`.B bootstrap\n[\\fIoptions\\fR] \\fImanifest\\fR`);
  l.push('.br');
  l.push(`.B bootstrap\n\\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]`);
  l.push('.SH DESCRIPTION');
  l.push(line(`${program.description()}.`));
  l.push('.PP');
  l.push(
    line(
      'A YAML manifest describes the image. bootstrap reads it, builds a graph of tasks from the ' +
        'provider and the plugins the manifest enables, and runs it: it bootstraps Debian with ' +
        'mmdebstrap into a loop-mounted image file, configures it, installs a bootloader, cleans it and ' +
        'writes the image. Everything a step creates on the host is undone in reverse order when a step ' +
        'fails or on Ctrl-C. It reads the manifests of bootstrap-vz unchanged.',
    ),
  );
  l.push('.PP');
  l.push(
    line(
      'A relative manifest path under manifests/ that does not exist in the current directory is read ' +
        "from the manifests shipped with bootstrap, so `bootstrap manifests/debian-qemu.yml' works from " +
        'any directory.',
    ),
  );
  l.push('.SH COMMANDS');
  for (const cmd of commands) {
    const args = argumentsOf(cmd);
    l.push(`.SS "${roff(`bootstrap ${cmd.name()}`)}"`);
    l.push(
      `.B bootstrap ${roff(cmd.name())}\n[\\fIoptions\\fR]` +
        (args.length ? ' ' + args.map(argTerm).join(' ') : ''),
    );
    l.push('.PP');
    l.push(line(`${cmd.description()}.`.replace(/\.\.$/, '.')));
    for (const arg of args) {
      l.push('.TP');
      l.push(argTerm(arg));
      l.push(line(help.argumentDescription(arg)));
    }
    // -h, --help is the same everywhere: listed once under OPTIONS.
    for (const option of optionsOf(cmd).filter((o) => o.long !== '--help')) {
      l.push('.TP');
      l.push(term(option.flags));
      l.push(line(help.optionDescription(option)));
    }
  }
  l.push('.SH OPTIONS');
  for (const option of optionsOf(program)) {
    l.push('.TP');
    l.push(term(option.flags));
    l.push(line(help.optionDescription(option)));
  }
  l.push('.SH EXIT STATUS');
  for (const [code, text] of [
    ['0', 'success'],
    ['1', 'the build failed and was rolled back, or a boot-test check failed'],
    ['2', 'usage or manifest error; nothing was done'],
  ]) {
    l.push('.TP', `.B ${code}`, line(text));
  }
  l.push('.SH ENVIRONMENT');
  for (const [name, text] of [
    ['AWS_REGION', 'the region of EC2 builds when the manifest names none'],
    ['BOOTSTRAP_STATE_DIR', 'the state directory (default /var/lib/debian-image-bootstrap)'],
    ['NO_COLOR', 'no colors on a terminal'],
  ]) {
    l.push('.TP', `.B ${name}`, line(text));
  }
  l.push('.SH FILES');
  for (const [name, text] of [
    ['/usr/share/bootstrap/manifests/', 'the shipped manifests (installed as a Debian package)'],
    ['/var/cache/debian-image-bootstrap/', 'bootstrapped base systems and downloaded packages, reused'],
    ['/var/lib/debian-image-bootstrap/journal/', 'the cloud resources of each build, for bootstrap cleanup'],
    ['/var/log/bootstrap/', 'debug logs of builds'],
  ]) {
    l.push('.TP', `.I ${name}`, line(text));
  }
  l.push('.SH EXAMPLES');
  for (const [cmd, text] of [
    ['bootstrap manifests/debian-qemu.yml', 'build the shipped QEMU image (as root)'],
    ['bootstrap plan manifests/debian-qemu.yml', 'the ordered list of tasks of a build'],
    [
      'bootstrap boot-test /var/tmp/bootstrap/debian-bookworm-amd64-qemu-*.raw --firmware uefi',
      'boot an image in QEMU and check it',
    ],
  ]) {
    l.push('.PP', line(text + ':'), '.RS', '.nf', line(cmd), '.fi', '.RE');
  }
  l.push('.SH SEE ALSO');
  l.push('.BR mmdebstrap (1),\n.BR debootstrap (8),\n.BR qemu\\-img (1)');
  return l.join('\n') + '\n';
}

// ------------------------------------------------------------------------------------ bash completion

/** Whether an option's or argument's value is a path, from its name (<file>, <dir>, <manifest>...). */
function pathKind(name) {
  if (/\bdir\b/.test(name)) return 'dir';
  if (/\bmanifest\b/.test(name)) return 'manifest';
  if (/\b(file|image)\b/.test(name)) return 'file';
  return undefined;
}

function shellWords(words) {
  return words.map((w) => w.replace(/[^\w@%+=:,./-]/g, '\\$&')).join(' ');
}

function bashCompletion() {
  const names = commands.map((c) => c.name());
  const defaultName = program._defaultCommandName ?? names[0];
  const words = (list) => JSON.stringify(shellWords(list));
  const flagsOf = (o) => [o.short, o.long].filter(Boolean);
  const valueArms = [];
  const commandArms = [];
  for (const cmd of commands) {
    const args = argumentsOf(cmd);
    const kind = args.length ? (pathKind(args[0].name()) ?? 'none') : 'none';
    commandArms.push(`  ${cmd.name()}) opts=${words(optionsOf(cmd).flatMap(flagsOf))} args=${kind} ;;`);
    for (const o of optionsOf(cmd)) {
      if (!o.required && !o.optional) continue;
      const kind = pathKind(`${o.long} ${o.flags.replace(/^.*[<[](.*)[>\]]$/, '$1')}`);
      const action = o.argChoices
        ? `COMPREPLY=($(compgen -W ${words(o.argChoices)} -- "$cur"))`
        : kind === 'dir'
          ? '_filedir -d'
          : kind === 'manifest'
            ? "_filedir '@(yml|yaml|json)'"
            : kind === 'file'
              ? '_filedir'
              : ':';
      valueArms.push(
        `  ${flagsOf(o)
          .map((f) => `"${cmd.name()} ${f}"`)
          .join(' | ')}) ${action}; return ;;`,
      );
    }
  }
  // The program's own options (--version), besides the default command's (its --help is the same).
  const defaultFlags = optionsOf(commands.find((c) => c.name() === defaultName) ?? program).flatMap(flagsOf);
  const globalFlags = optionsOf(program)
    .flatMap(flagsOf)
    .filter((f) => !defaultFlags.includes(f));
  return `# bash completion for bootstrap(1), generated by scripts/gen-cli-docs.mjs from the CLI's own
# commands and options.
_bootstrap() {
  local cur prev words cword
  _init_completion || return

  local commands=${words([...names, 'help'])}
  local cmd="" i
  for ((i = 1; i < cword; i++)); do
    [[ \${words[i]} == -* ]] && continue
    [[ " $commands " == *" \${words[i]} "* ]] && cmd=\${words[i]}
    break
  done
  # No command word: the manifest and options are those of the default command, ${defaultName}.
  local key=\${cmd:-${defaultName}}

  case "$key $prev" in
${valueArms.join('\n')}
  esac

  local opts="" args=none
  case $key in
${commandArms.join('\n')}
  help) args=command ;;
  esac
  [[ -z $cmd ]] && opts="$opts ${shellWords(globalFlags)}"

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  if [[ -z $cmd || $args == command ]]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
  fi
  case $args in
  manifest) _filedir '@(yml|yaml|json)' ;;
  file) _filedir ;;
  dir) _filedir -d ;;
  esac
} &&
  complete -F _bootstrap bootstrap
`;
}
