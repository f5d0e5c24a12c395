// The Dockerfile, the compose file and the Kubernetes manifests cannot be
// run here (no Docker daemon, no cluster). What can be checked offline is:
// kustomize renders; every object validates against the Kubernetes JSON
// schemas (kubernetes-models); the probes and the HEALTHCHECK ask for paths
// the service serves (a real service is started and asked); the
// configuration they ship loads with the stack loader with the environment
// they give it; the Dockerfile lints clean and has the expected shape.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadConfig } from '@chatcore/core/config';
// The sections' packages register them (createStack imports them itself; loadConfig needs them loaded).
import '@chatcore/encryption';
import '@chatcore/cache';
import '@chatcore/audit';
import '@chatcore/metrics';
import { createProgram } from '@chatcore/cli';
import { Writable } from 'node:stream';
import { readSettings } from '../src/settings.js';
import { buildService, DEPLOY_ARGS, freshKeys, serviceRoot, startService, type RunningService } from './helpers/deployed-service.js';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: any };

const kustomize = spawnSync('kubectl', ['kustomize', join(serviceRoot, 'deploy', 'k8s')], { encoding: 'utf8' });
if (kustomize.error && process.env.CHATCORE_REQUIRE_SERVICES !== '1') {
  console.log('CHATCORE_SKIP kubectl is not installed; set CHATCORE_REQUIRE_SERVICES=1 to make this a failure.');
  process.exit(0);
}
const objects = parseAllDocuments(kustomize.stdout ?? '').map((d) => d.toJS() as K8sObject).filter(Boolean);
const one = (kind: string, component?: string) => {
  const found = objects.filter((o) => o.kind === kind && (!component || o.spec?.template?.metadata?.labels?.['app.kubernetes.io/component'] === component));
  assert.is(found.length, 1, `one ${kind}`);
  return found[0]!;
};
const dockerfileText = readFileSync(join(serviceRoot, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(dockerfileText);

// A real service, to ask for the paths the manifests and the image name.
buildService();
const state = mkdtempSync(join(tmpdir(), 'cc-artefacts-'));
let service: RunningService | undefined;

/** The kubernetes-models class for an object's apiVersion and kind. */
async function modelOf(o: K8sObject): Promise<new (data: object) => { validate(): void }> {
  const mod = (await import(`kubernetes-models/${o.apiVersion}`)) as Record<string, new (data: object) => { validate(): void }>;
  const model = mod[o.kind];
  if (!model) throw new Error(`kubernetes-models has no ${o.apiVersion} ${o.kind}`);
  return model;
}

/** The variables a container gets: its env values, and every key of the Secrets it loads with envFrom. */
function containerEnv(container: any): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ref of container.envFrom ?? []) {
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === ref.secretRef?.name);
    assert.ok(secret, `the Secret ${ref.secretRef?.name} is part of the manifests`);
    Object.assign(env, secret!.stringData);
  }
  for (const e of container.env ?? []) env[e.name] = e.value;
  return env;
}

test('kubectl kustomize renders the manifests: every object the service needs, once', () => {
  assert.is(kustomize.status, 0, kustomize.stderr);
  assert.equal(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Service']);
});

test('every rendered object validates against the Kubernetes JSON schemas', async () => {
  for (const o of objects) {
    const Model = await modelOf(o);
    try {
      new Model(o).validate();
    } catch (e) {
      assert.unreachable(`${o.kind} ${o.metadata.name}: ${(e as Error).message}`);
    }
  }
});

test('the schema check catches a broken object (a probe without a port, minReplicas as a string)', async () => {
  const deployment = structuredClone(one('Deployment'));
  const Model = await modelOf(deployment);
  delete deployment.spec.template.spec.containers[0].livenessProbe.httpGet.port;
  assert.throws(() => new Model(deployment).validate(), /livenessProbe\/httpGet must have required property '?port'?/);
  const hpa = structuredClone(one('HorizontalPodAutoscaler'));
  hpa.spec.minReplicas = 'two';
  const Hpa = await modelOf(hpa);
  assert.throws(() => new Hpa(hpa).validate(), /minReplicas must be integer/);
});

test('the Deployment runs as non-root on a read-only root filesystem, with /tmp writable, requests and limits, and the Secret', () => {
  const pod = one('Deployment').spec.template.spec;
  const c = pod.containers[0];
  assert.is(pod.securityContext.runAsNonRoot, true);
  assert.ok(pod.securityContext.runAsUser > 0);
  assert.is(c.securityContext.readOnlyRootFilesystem, true);
  assert.is(c.securityContext.allowPrivilegeEscalation, false);
  const tmp = c.volumeMounts.find((m: any) => m.mountPath === '/tmp');
  assert.ok(pod.volumes.find((v: any) => v.name === tmp?.name)?.emptyDir, '/tmp is an emptyDir');
  const audit = c.volumeMounts.find((m: any) => m.mountPath === containerEnv(c).CHATCORE_AUDIT_DIR);
  assert.ok(audit, 'the audit directory is a mounted volume (the root filesystem is read-only)');
  for (const k of ['cpu', 'memory']) assert.ok(c.resources.requests[k] && c.resources.limits[k], `requests and limits for ${k}`);
  // Kubernetes kills the pod after the grace period: it must cover preStop and the whole drain.
  const preStop = Number(c.lifecycle.preStop.exec.command[1]);
  assert.ok(pod.terminationGracePeriodSeconds > preStop + Number(containerEnv(c).CHATCORE_DRAIN_MS) / 1000, 'grace period > preStop + drain');
  assert.equal(Object.keys(one('Secret').stringData).sort(), ['CHATCORE_BLIND_INDEX_KEY', 'CHATCORE_ROOT_KEY', 'DATABASE_URL', 'REDIS_URL']);
  assert.is(one('PodDisruptionBudget').spec.selector.matchLabels['app.kubernetes.io/component'], 'api');
  assert.equal(one('HorizontalPodAutoscaler').spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: one('Deployment').metadata.name });
});

test('the migration Job runs `chatcore migrate up` with the same configuration and Secret as the pods', () => {
  const job = one('Job').spec.template.spec;
  const c = job.containers[0];
  assert.equal([...c.command, ...c.args].slice(0, 4), ['node', 'node_modules/@chatcore/cli/dist/bin.js', 'migrate', 'up']);
  const configArg = c.args[c.args.indexOf('--config') + 1];
  const mount = c.volumeMounts.find((m: any) => configArg.startsWith(m.mountPath + '/'));
  const volume = job.volumes.find((v: any) => v.name === mount?.name);
  assert.is(volume?.configMap?.name, one('ConfigMap').metadata.name);
  assert.equal(c.envFrom, one('Deployment').spec.template.spec.containers[0].envFrom);
  assert.is(c.securityContext.readOnlyRootFilesystem, true);
});

test('the migration Job\'s arguments are ones `chatcore` accepts, naming files the service ships', async () => {
  const c = one('Job').spec.template.spec.containers[0];
  let out = '';
  const sink = new Writable({ write: (chunk, _enc, done) => { out += String(chunk); done(); } });
  let ran: { command: string; config: string; repositories?: string | undefined; dir?: string } | undefined;
  // Parse as the binary does, and capture the command instead of running it.
  const program = createProgram({ stdout: sink, stderr: sink }, async (ctx, _run) => {
    ran = { command: 'migrate up', config: ctx.options.config, repositories: ctx.options.repositories, dir: program.commands.find((x) => x.name() === 'migrate')!.commands.find((x) => x.name() === 'up')!.opts<{ dir?: string }>().dir };
  }, {}, serviceRoot);
  await program.parseAsync(c.args, { from: 'user' }).catch((e: Error) => assert.unreachable(`chatcore refuses the Job's arguments: ${e.message}\n${out}`));
  assert.equal(ran, { command: 'migrate up', config: '/etc/chatcore/chatcore.yaml', repositories: './dist/schema.js', dir: './dist/migrations' });
  const schema = (await import(join(serviceRoot, ran!.repositories!))) as Record<string, unknown>;
  assert.ok(schema.repositories, 'the repositories module exports `repositories`');
  assert.ok(c.volumeMounts.some((m: any) => ran!.config.startsWith(`${m.mountPath}/`)), 'the config path is on a mounted volume');
  const pkg = JSON.parse(readFileSync(join(serviceRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.ok(pkg.dependencies['@chatcore/cli'] && pkg.dependencies['@chatcore/migrate'], 'the deployed folder has @chatcore/cli and @chatcore/migrate');
  const cliPkg = JSON.parse(readFileSync(join(serviceRoot, 'node_modules', '@chatcore', 'cli', 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.is(`node_modules/@chatcore/cli/${cliPkg.bin.chatcore!.replace(/^\.\//, '')}`, c.command[1], 'the command is the chatcore bin');
});

test('the ConfigMap holds the service\'s chatcore.yaml, and it loads with the stack loader in the pod\'s environment', () => {
  const cm = one('ConfigMap');
  const text = cm.data['chatcore.yaml'] as string;
  assert.is(text, readFileSync(join(serviceRoot, 'chatcore.yaml'), 'utf8'), 'deploy/k8s/base/chatcore.yaml is a copy of chatcore.yaml');
  const deployment = one('Deployment').spec.template.spec;
  const c = deployment.containers[0];
  const env = containerEnv(c);
  // The file the pod reads is the ConfigMap's key, where the volume is mounted.
  const mount = c.volumeMounts.find((m: any) => env.CHATCORE_CONFIG!.startsWith(m.mountPath + '/'));
  assert.is(deployment.volumes.find((v: any) => v.name === mount.name).configMap.name, cm.metadata.name);
  assert.ok(Object.hasOwn(cm.data, env.CHATCORE_CONFIG!.slice(mount.mountPath.length + 1)));
  // The Secret's placeholders are refused as keys: a pod deployed without real keys does not start.
  assert.throws(() => loadConfig(text, { env, sourceName: 'ConfigMap chatcore.yaml' }), /encryption\.root_key \(line \d+\): decodes to/);
  const config = loadConfig(text, { env: { ...env, ...freshKeys() }, sourceName: 'ConfigMap chatcore.yaml' });
  assert.is(config.database.backend, 'postgres');
  assert.is(config.database.schemaMode, 'verify');
  assert.equal(Object.keys(config).sort(), ['audit', 'cache', 'database', 'encryption', 'metrics']);
  assert.is((config.audit as { sinks?: { file?: string } } | undefined)?.sinks?.file, '/var/lib/chatcore/audit/audit.log');
  // Without the Secret, the loader names what is missing.
  assert.throws(() => loadConfig(text, { env: { CHATCORE_CONFIG: env.CHATCORE_CONFIG! } }), /DATABASE_URL is not set/);
});

test('the docker-compose file gives the service every variable chatcore.yaml needs', () => {
  const compose = parseYaml(readFileSync(join(serviceRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, any> };
  assert.equal(Object.keys(compose.services).sort(), ['chatbot', 'firestore', 'postgres', 'redis']);
  const svc = compose.services.chatbot;
  assert.is(svc.build.dockerfile, 'examples/chatbot-service/Dockerfile');
  const env: Record<string, string> = { ...svc.environment, ...freshKeys() }; // the keys come from the operator's shell
  const config = loadConfig(readFileSync(join(serviceRoot, 'chatcore.yaml'), 'utf8'), { env });
  assert.is(config.database.url, 'postgres://chatbot:chatbot@postgres:5432/chatbot');
  assert.equal(Object.keys(svc.depends_on).sort(), ['postgres', 'redis']);
  // /metrics on its own listener, published on the host's loopback only; the API port published as before.
  const settings = readSettings(svc.environment);
  assert.equal([settings.port, settings.metrics], [8080, { port: 9464, host: '0.0.0.0' }]);
  assert.equal(svc.ports, ['8080:8080', '127.0.0.1:9464:9464']);
  assert.ok(Number(/^(\d+)s$/.exec(svc.stop_grace_period)?.[1]) > 25, 'compose waits longer than the default drain (25 s) before SIGKILL');
});

test('the Dockerfile lints clean: a build stage that runs pnpm deploy --prod, a runtime stage as a non-root user', () => {
  assert.equal(lintDockerfile(dockerfileText).map((d) => d.message), []);
  const froms = dockerfile.getFROMs();
  assert.equal(froms.map((f) => f.getBuildStage()), ['build', 'runtime']);
  const runs = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');
  assert.ok(runs.some((r) => r.includes(`pnpm ${DEPLOY_ARGS.join(' ')} /app`)), 'the build stage runs the same pnpm deploy as the tests');
  assert.ok(runs.some((r) => r.includes('pnpm install --frozen-lockfile')));
  const runtimeStart = froms[1]!.getRange().start.line;
  const runtime = dockerfile.getInstructions().filter((i) => i.getRange().start.line > runtimeStart);
  const copies = runtime.filter((i) => i.getKeyword() === 'COPY');
  assert.ok(copies.every((c) => /--from=build/.test(dockerfileText.split('\n')[c.getRange().start.line]!)), 'the runtime stage copies only the deployed folder');
  const users = runtime.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent()!.split(':')[0]!);
  assert.is(users.length, 1);
  assert.match(users[0]!, /^[1-9]\d*$/, 'a numeric, non-zero user (Kubernetes checks runAsNonRoot against it)');
  assert.is(Number(users[0]), one('Deployment').spec.template.spec.securityContext.runAsUser);
  assert.equal(dockerfile.getCMDs().map((c) => c.getArgumentsContent()), ['["node", "dist/main.js"]']);
});

test('the probes, the Service, the scrape annotations and the HEALTHCHECK use the ports and the paths the service answers', async () => {
  service = await startService(serviceRoot, {
    ...freshKeys(),
    CHATCORE_CONFIG: 'chatcore.pglite.yaml',
    CHATCORE_DATA_DIR: join(state, 'pglite'),
    CHATCORE_AUDIT_DIR: join(state, 'audit'),
    METRICS_PORT: '0', // a free port (the pod's 9464 may be taken here), named by the listening line
  });
  const c = one('Deployment').spec.template.spec.containers[0];
  const http = c.ports.find((p: any) => p.name === 'http');
  const metrics = c.ports.find((p: any) => p.name === 'metrics');
  const settings = readSettings(containerEnv(c));
  assert.is(http.containerPort, settings.port, 'the container port is the port the service listens on');
  assert.equal(settings.metrics, { port: metrics.containerPort, host: '0.0.0.0' }, 'the pod serves /metrics on its metrics port, at the pod IP');
  assert.equal(one('Service').spec.ports.map((p: any) => p.targetPort), ['http'], 'the Service publishes the API port only');
  const probes = { livenessProbe: '/healthz', readinessProbe: '/readyz', startupProbe: '/healthz' } as const;
  for (const [probe, expected] of Object.entries(probes)) {
    const get = c[probe].httpGet;
    assert.is(get.port, 'http', `${probe} uses the http port`);
    assert.is(get.path, expected, probe);
    assert.is((await fetch(service.url + get.path)).status, 200, `${probe} ${get.path}`);
  }
  const scrape = one('Deployment').spec.template.metadata.annotations;
  assert.is(scrape['prometheus.io/port'], String(metrics.containerPort), 'Prometheus scrapes the metrics port');
  const scraped = await fetch(service.metricsUrl! + scrape['prometheus.io/path']);
  assert.is(scraped.status, 200, 'the scrape path on the metrics port');
  assert.match(await scraped.text(), /^# TYPE chatbot_operations_total counter$/m);
  assert.is((await fetch(service.url + scrape['prometheus.io/path'])).status, 404, 'the scrape path is not on the API port');

  const hc = dockerfile.getHEALTHCHECKs();
  assert.is(hc.length, 1);
  const path = /\/[a-z]+(?=')/.exec(hc[0]!.getArgumentsContent() ?? '')?.[0];
  assert.is(path, '/healthz');
  assert.is((await fetch(service.url + path)).status, 200, 'HEALTHCHECK path');
  const expose = dockerfile.getInstructions().find((i) => i.getKeyword() === 'EXPOSE')?.getArgumentsContent();
  assert.is(expose, String(http.containerPort));
  // What the HEALTHCHECK runs, run against the service.
  const cmd = JSON.parse(hc[0]!.getArgumentsContent()!.replace(/^CMD\s+/, '')) as string[];
  const probe = spawnSync(cmd[0] === 'node' ? process.execPath : cmd[0]!, cmd.slice(1), { env: { PORT: String(service.port) }, encoding: 'utf8', timeout: 30_000 });
  assert.is(probe.status, 0, probe.stderr);
});

test.after(async () => {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
  rmSync(state, { recursive: true, force: true });
});

test.run();
