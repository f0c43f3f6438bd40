#!/usr/bin/env node
/**
 * The `bootstrap` command. This is the only module that reads argv, sets the exit code or prints
 * stack traces: user errors end with a message and exit 2, failed builds with exit 1, and only an
 * internal bug (exit 3, docs/errors.md) shows a stack (with --debug, or a one-line hint to rerun with it).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { packageVersion } from '../api/package-root.js';
import type { PlanFormat } from './commands/plan.js';
import { CliExit, EXIT_INTERNAL, EXIT_USAGE, withErrorCode } from './exit-codes.js';
import {
  bootTestCommand,
  buildCommand,
  cleanupCommand,
  doctorCommand,
  planCommand,
  runCommand,
  schemaCommand,
  unbundleCommand,
  validateCommand,
} from './lazy-commands.js';
import { processOutput, type ColorMode, type Output } from './output.js';

/** Where the CLI writes. Tests pass their own to run the CLI in process (test/helpers/run-cli.ts). */
export interface CliIo {
  output(mode: ColorMode): Output;
  /** commander's help and usage errors, and internal-error reports. */
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CliIo = {
  output: processOutput,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function colorOption(): Option {
  return new Option('--color <when>', 'color output').choices(['auto', 'always', 'never']).default('auto');
}

function setOption(): Option {
  return new Option(
    '--set <path=value>',
    'override a manifest value, e.g. system.release=trixie (repeatable)',
  ).argParser(collect);
}

export function makeProgram(run: (code: Promise<number> | number) => void, io: CliIo = processIo): Command {
  const program = new Command('bootstrap')
    .description('Build Debian images from bootstrap-vz manifests: a bootable disk image or an Amazon AMI')
    .version(packageVersion())
    .showHelpAfterError('(run bootstrap --help for usage)')
    .exitOverride()
    // Before the subcommands: commander copies the output settings into each when it is created.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('build', { isDefault: true })
    .description('build the image a manifest describes (the default command)')
    .argument('<manifest>', 'manifest file (.yml, .yaml or .json)')
    .option('--dry-run', 'resolve and run the plan without touching anything; commands are only recorded')
    .addOption(setOption())
    .option('--offline', "skip the checks that read the Debian archive (the root partition's size)")
    .option('--report <file>', 'write a JSON report: tasks, timings, artifacts')
    .option('--log <dir>', 'directory for the debug log file (- for none)')
    .option('--debug', 'show debug messages on the console')
    .option('--pause-on-error', 'wait for Enter before rolling back a failed build')
    .option('--force', 'replace an existing output image, once the new one is complete')
    .addOption(colorOption())
    .addOption(
      new Option('--progress <style>', 'progress display')
        .choices(['auto', 'tty', 'plain', 'json'])
        .default('auto'),
    )
    .action((manifest: string, o: Record<string, unknown>) =>
      run(
        buildCommand(
          manifest,
          {
            color: o.color as ColorMode,
            progress: o.progress as 'auto',
            ...(o.dryRun ? { dryRun: true } : {}),
            ...(o.offline ? { offline: true } : {}),
            ...(o.set ? { set: o.set as string[] } : {}),
            ...(o.report ? { report: o.report as string } : {}),
            ...(o.log ? { log: o.log as string } : {}),
            ...(o.debug ? { debug: true } : {}),
            ...(o.pauseOnError ? { pauseOnError: true } : {}),
            ...(o.force ? { force: true } : {}),
          },
          io.output(o.color as ColorMode),
        ),
      ),
    );

  program
    .command('validate')
    .description('check manifests; exit 0 when every one is valid')
    .argument('<manifest...>', 'manifest files')
    .addOption(setOption())
    .option('--offline', "skip the checks that read the Debian archive (the root partition's size)")
    .option('--debug', 'show a stack trace for an internal error')
    .addOption(colorOption())
    .action((files: string[], o: Record<string, unknown>) =>
      run(
        validateCommand(
          files,
          { ...(o.set ? { set: o.set as string[] } : {}), ...(o.offline ? { offline: true } : {}) },
          io.output(o.color as ColorMode),
        ),
      ),
    );

  program
    .command('plan')
    .description('print the resolved, ordered task list')
    .argument('<manifest>', 'manifest file')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'dot']).default('text'),
    )
    .addOption(setOption())
    .option('--offline', "skip the checks that read the Debian archive (the root partition's size)")
    .option('--debug', 'show a stack trace for an internal error')
    .addOption(colorOption())
    .action((file: string, o: Record<string, unknown>) =>
      run(
        planCommand(
          file,
          {
            format: o.format as PlanFormat,
            ...(o.set ? { set: o.set as string[] } : {}),
            ...(o.offline ? { offline: true } : {}),
          },
          io.output(o.color as ColorMode),
        ),
      ),
    );

  program
    .command('boot-test')
    .description('boot an image in QEMU against a local EC2 metadata service and check that it works')
    .argument('<image>', 'raw or qcow2 image (never modified: a throw-away overlay is booted)')
    .option('--manifest <file>', "the image's manifest: firmware, architecture, SSH user, IMDSv2 claim")
    .addOption(
      new Option('--firmware <type>', 'firmware (default: from the manifest, else bios)').choices([
        'bios',
        'uefi',
      ]),
    )
    .option('--timeout <seconds>', 'time for the boot and every check', '300')
    .option('--report <file>', 'write the JSON report to this file')
    .option('--user <name>', "SSH user (default: the manifest's cloud_init username, else root)")
    .addOption(
      new Option('--imds <version>', 'v2: the metadata service requires tokens')
        .choices(['v1', 'v2'])
        .default('v1'),
    )
    .option(
      '--require-ssh',
      'kept for compatibility: SSH is always required now (the key also goes in as a systemd credential)',
    )
    .option(
      '--secure-boot',
      "UEFI Secure Boot with Microsoft's keys (OVMF); checks the shim -> grub -> kernel chain",
    )
    .option('--tpm', 'attach a swtpm TPM 2.0; checks the guest sees it and the boot was measured')
    .option('--keep', 'keep the temp dir (overlay, serial log, key) even when every check passed')
    .option('--debug', 'show a stack trace for an internal error')
    .addOption(colorOption())
    .action((image: string, o: Record<string, unknown>) =>
      run(
        bootTestCommand(
          image,
          {
            ...(o.manifest ? { manifest: o.manifest as string } : {}),
            ...(o.firmware ? { firmware: o.firmware as string } : {}),
            ...(o.timeout ? { timeout: o.timeout as string } : {}),
            ...(o.report ? { report: o.report as string } : {}),
            ...(o.user ? { user: o.user as string } : {}),
            ...(o.imds ? { imds: o.imds as string } : {}),
            ...(o.keep ? { keep: true } : {}),
            ...(o.requireSsh ? { requireSsh: true } : {}),
            ...(o.secureBoot ? { secureBoot: true } : {}),
            ...(o.tpm ? { tpm: true } : {}),
          },
          io.output(o.color as ColorMode),
        ),
      ),
    );

  program
    .command('run')
    .description(
      'boot an image to use it: the serial console on the terminal (Ctrl-] quits), or --ssh to log in',
    )
    .argument('<image>', 'raw or qcow2 image (booted through a throw-away overlay unless --persist)')
    .argument('[command...]', 'with --ssh, after --: run this command over SSH and exit with its status')
    .option('--manifest <file>', "the image's manifest: firmware, architecture, SSH user")
    .addOption(
      new Option('--firmware <type>', 'firmware (default: from the manifest, else bios)').choices([
        'bios',
        'uefi',
      ]),
    )
    .option('--secure-boot', "UEFI Secure Boot with Microsoft's keys (OVMF)")
    .option('--tpm', 'attach a swtpm TPM 2.0')
    .option('--persist', 'boot the image itself: what the guest writes stays in the image')
    .option('--ssh', 'wait for SSH and log in (or run COMMAND) instead of showing the console')
    .option('--ssh-key <file>', 'your private key (FILE.pub is given to the guest) instead of a fresh one')
    .option(
      '--user <name>',
      "SSH user (default: the manifest's cloud_init username, admin for EC2 init scripts, else root)",
    )
    .option('--memory <MiB>', 'guest memory in MiB (default 1024)')
    .option('--cpus <n>', 'guest CPUs (default 2)')
    .option('--timeout <seconds>', 'with --ssh: how long to wait for SSH (default 300)')
    .option('--debug', 'show a stack trace for an internal error')
    .addOption(colorOption())
    .action((image: string, command: string[], o: Record<string, unknown>) =>
      run(
        runCommand(
          image,
          command,
          {
            ...(o.manifest ? { manifest: o.manifest as string } : {}),
            ...(o.firmware ? { firmware: o.firmware as string } : {}),
            ...(o.secureBoot ? { secureBoot: true } : {}),
            ...(o.tpm ? { tpm: true } : {}),
            ...(o.persist ? { persist: true } : {}),
            ...(o.ssh ? { ssh: true } : {}),
            ...(o.sshKey ? { sshKey: o.sshKey as string } : {}),
            ...(o.user ? { user: o.user as string } : {}),
            ...(o.memory ? { memory: o.memory as string } : {}),
            ...(o.cpus ? { cpus: o.cpus as string } : {}),
            ...(o.timeout ? { timeout: o.timeout as string } : {}),
          },
          io.output(o.color as ColorMode),
        ),
      ),
    );

  program
    .command('cleanup')
    .description('delete cloud resources (snapshots, AMIs, volumes) that killed or failed builds left behind')
    .option('--run <id>', 'only this build run (8 hex digits, in the build log and report)')
    .addOption(
      new Option(
        '--region <region>',
        'with --run: also search this region by build tag (repeatable)',
      ).argParser(collect),
    )
    .option('--endpoint <url>', 'endpoint for the --region search (an emulator, a compatible cloud)')
    .option('--profile <name>', 'AWS profile to use')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .option('--debug', 'show a stack trace for an internal error')
    .action((o: Record<string, unknown>) =>
      run(
        cleanupCommand(
          {
            ...(o.run ? { run: o.run as string } : {}),
            ...(o.region ? { region: o.region as string[] } : {}),
            ...(o.endpoint ? { endpoint: o.endpoint as string } : {}),
            ...(o.profile ? { profile: o.profile as string } : {}),
            ...(o.dryRun ? { dryRun: true } : {}),
          },
          io.output('auto'),
        ),
      ),
    );

  program
    .command('unbundle')
    .description(
      'check an instance-store bundle (signature, part and image digests) and write its disk image',
    )
    .argument(
      '<manifest>',
      'NAME.manifest.xml with its parts next to it, or s3://BUCKET/PATH/NAME.manifest.xml',
    )
    .requiredOption('--key <file>', 'PEM private key of the certificate the bundle was made for')
    .requiredOption('--out <image>', 'the raw disk image to write (atomically: nothing on failure)')
    .option('--cert <file>', "certificate that signed the manifest (default: --key's public half)")
    .option('--region <region>', 'region of the s3:// bucket (default: the SDK configuration)')
    .option('--endpoint <url>', 'S3 endpoint for s3:// (an emulator, a compatible store)')
    .option('--force', 'replace --out if it exists')
    .option('--debug', 'show a stack trace for an internal error')
    .action((manifest: string, o: Record<string, unknown>) =>
      run(
        unbundleCommand(
          manifest,
          {
            key: o.key as string,
            out: o.out as string,
            ...(o.cert ? { cert: o.cert as string } : {}),
            ...(o.region ? { region: o.region as string } : {}),
            ...(o.endpoint ? { endpoint: o.endpoint as string } : {}),
            ...(o.force ? { force: true } : {}),
          },
          io.output('auto'),
        ),
      ),
    );

  program
    .command('schema')
    .description('print the combined JSON schema of manifests (core, providers, plugins) for editors')
    .option('--debug', 'show a stack trace for an internal error')
    .action(() => run(schemaCommand(io.output('never'))));

  program
    .command('doctor')
    .description('check that this host can build; --fix installs missing Debian packages')
    .argument('[manifest...]', 'also check the host commands these manifests need')
    .option('--fix', 'install missing packages with apt-get')
    .option('--debug', 'show a stack trace for an internal error')
    .action((files: string[], o: Record<string, unknown>) =>
      run(doctorCommand(files, o.fix ? { fix: true } : {}, io.output('auto'))),
    );

  return program;
}

function reportCrash(error: unknown, args: readonly string[], io: CliIo): number {
  if (error instanceof CliExit) {
    if (error.message) io.stderr(withErrorCode(error) + '\n');
    return error.code;
  }
  const debug = args.includes('--debug');
  io.stderr(
    `internal error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} [ERR_INTERNAL]\n` +
      (debug && error instanceof Error && error.stack
        ? error.stack + '\n'
        : 'this is a bug in bootstrap; rerun with --debug for a stack trace and report it\n'),
  );
  return EXIT_INTERNAL;
}

/** Runs the CLI on `args` (argv without node and the script) and returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo = processIo): Promise<number> {
  let pending: Promise<number> | number | undefined;
  const program = makeProgram((code) => {
    pending = code;
  }, io);
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0 through this path too.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    return reportCrash(error, args, io);
  }
  try {
    return await (pending ?? 0);
  } catch (error) {
    return reportCrash(error, args, io);
  }
}

// Only as the program itself: scripts/gen-cli-docs.mjs imports makeProgram for the man page and the
// bash completion. argv[1] may be a link (npm link, /usr/bin/bootstrap); this module's URL is not.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runAsProgram();
}

/** The CLI as the process's program: this module started itself, or the bundle's entry (bin.ts). */
export async function runAsProgram(): Promise<void> {
  // `bootstrap schema | head`: a reader that stops early is not an error (as for cat or grep).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  process.exitCode = await runCli(process.argv.slice(2));
}
