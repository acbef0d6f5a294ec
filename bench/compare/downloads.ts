/**
 * The peers' binaries, fetched once from Maven Central with Maven (so ~/.m2 caches them too)
 * into <cache>/bench, and the JVMs to run them with.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface JavaRuntime {
  path?: string;
  version?: string;
  needs: number;
}

export interface Downloads {
  nessieVersion: string;
  nessieJar: string;
  nessieJava: JavaRuntime;
  icebergVersion: string;
  /** Launcher folder plus the copied dependency jars, `:`-separated. */
  referenceClasspath: string;
  referenceJava: JavaRuntime;
}

export interface DownloadOptions {
  cacheDir: string;
  repoRoot: string;
  nessieVersion: string;
  icebergVersion: string;
  log: (line: string) => void;
}

/** Nessie 0.99 is built for Java 21 (class file 65); the Iceberg 1.10 fixtures run on 17. */
export function nessieJavaNeeds(version: string): number {
  const [major, minor] = version.split('.').map(Number);
  return major > 0 || minor >= 99 ? 21 : 17;
}

export function parseJavaVersion(text: string): { major: number; version: string } | undefined {
  const m = /version "([^"]+)"/.exec(text);
  if (!m) return undefined;
  const parts = m[1].split(/[.+_-]/).map(Number);
  // Java 8 and older report "1.8.0_..."
  const major = parts[0] === 1 ? parts[1] : parts[0];
  return Number.isFinite(major) ? { major, version: m[1] } : undefined;
}

function javaCandidates(): string[] {
  const found = new Set<string>();
  if (process.env.JAVA_HOME) found.add(join(process.env.JAVA_HOME, 'bin', 'java'));
  try {
    for (const d of readdirSync('/usr/lib/jvm')) found.add(join('/usr/lib/jvm', d, 'bin', 'java'));
  } catch {
    // no system JVM folder
  }
  found.add('java');
  return [...found];
}

/** The newest JVM with a javac next to it that satisfies `needs`. */
export function findJava(needs: number, below = Infinity): JavaRuntime {
  let best: { path: string; major: number; version: string } | undefined;
  for (const path of javaCandidates()) {
    if (path !== 'java' && !existsSync(path)) continue;
    const v = parseJavaVersion(javaVersionText(path));
    if (!v || v.major < needs || v.major >= below) continue;
    if (!best || v.major > best.major) best = { path, major: v.major, version: v.version };
  }
  return best ? { path: best.path, version: best.version, needs } : { needs };
}

function javaVersionText(path: string): string {
  try {
    // `java -version` writes to stderr; merge it into the captured output.
    return execFileSync('/bin/sh', ['-c', `"${path}" -version 2>&1`], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

function mvn(args: string[], log: (l: string) => void): void {
  log(`mvn ${args.join(' ')}`);
  execFileSync('mvn', ['-q', '-B', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

export async function ensureDownloads(o: DownloadOptions): Promise<Downloads> {
  const dir = join(o.cacheDir, 'bench');
  await mkdir(dir, { recursive: true });

  const nessieJar = join(dir, `nessie-quarkus-${o.nessieVersion}-runner.jar`);
  if (!existsSync(nessieJar)) {
    mvn(['dependency:copy', `-Dartifact=org.projectnessie.nessie:nessie-quarkus:${o.nessieVersion}:jar:runner`, `-DoutputDirectory=${dir}`], o.log);
  }

  const libDir = join(dir, `iceberg-rest-${o.icebergVersion}`);
  const fixtureJar = join(libDir, `iceberg-open-api-${o.icebergVersion}-test-fixtures.jar`);
  if (!existsSync(fixtureJar)) {
    mvn(
      [
        '-f',
        join(o.repoRoot, 'bench/compare/java/pom.xml'),
        'dependency:copy-dependencies',
        `-Diceberg.version=${o.icebergVersion}`,
        `-DoutputDirectory=${libDir}`,
      ],
      o.log,
    );
  }

  const nessieJava = findJava(nessieJavaNeeds(o.nessieVersion));
  // Hadoop 3.4's UserGroupInformation calls Subject.getSubject, which Java 23 removed, and the
  // reference server builds its catalog with a Hadoop Configuration: it needs Java 17 to 22.
  const referenceJava = findJava(17, 23);

  const launcherDir = join(dir, `launcher-${o.icebergVersion}-java${referenceJava.version ?? "none"}`);
  const source = join(o.repoRoot, 'bench/compare/java/LoopbackRestServer.java');
  const compiled = join(launcherDir, 'LoopbackRestServer.class');
  if (referenceJava.path && (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs)) {
    await mkdir(launcherDir, { recursive: true });
    const javac = referenceJava.path === 'java' ? 'javac' : join(dirname(referenceJava.path), 'javac');
    o.log(`javac LoopbackRestServer.java`);
    execFileSync(javac, ['-d', launcherDir, '-cp', `${libDir}/*`, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  }

  return {
    nessieVersion: o.nessieVersion,
    nessieJar,
    nessieJava,
    icebergVersion: o.icebergVersion,
    referenceClasspath: `${launcherDir}:${libDir}/*`,
    referenceJava,
  };
}
