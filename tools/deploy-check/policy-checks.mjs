// Platform policies every rendered release must meet, whatever the app: pods run as non-root
// on a read-only root filesystem without privilege escalation, declare resources and probes,
// pull a pinned image, and keep a PodDisruptionBudget when they run more than one replica.
// Each takes the manifests of one release and returns problems naming the object.

const POD_WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout', 'Job', 'CronJob'];
/** Jobs run to completion: no probes, no disruption budget. */
const RUN_TO_COMPLETION = ['Job', 'CronJob'];

const podTemplateOf = (doc) => (doc.kind === 'CronJob' ? doc.spec?.jobTemplate?.spec?.template : doc.spec?.template);
const subset = (small = {}, big = {}) => Object.keys(small).length > 0 && Object.entries(small).every(([key, value]) => big[key] === value);

/** A tag other than `latest`, or a digest; a reference without either pulls `latest`. */
export function imageProblem(image) {
  if (typeof image !== 'string' || image === '') return 'has no image';
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return null;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon === -1) return `image ${image} has no tag (it would pull latest); pin a version tag or a digest`;
  if (lastSegment.slice(colon + 1) === 'latest') return `image ${image} uses the latest tag; pin a version tag or a digest`;
  return null;
}

function containerProblems(container, podSecurity, longRunning, isInit) {
  const problems = [];
  const security = container.securityContext ?? {};
  const runAsNonRoot = security.runAsNonRoot ?? podSecurity.runAsNonRoot;
  const runAsUser = security.runAsUser ?? podSecurity.runAsUser;
  if (runAsNonRoot !== true) problems.push('must run as non-root (securityContext.runAsNonRoot: true)');
  if (runAsUser === 0) problems.push('runs as UID 0 (root)');
  if (security.readOnlyRootFilesystem !== true) problems.push('root filesystem must be read-only (securityContext.readOnlyRootFilesystem: true)');
  if (security.allowPrivilegeEscalation !== false) problems.push('must not allow privilege escalation (securityContext.allowPrivilegeEscalation: false)');
  if (security.privileged === true) problems.push('must not be privileged');

  const missing = [
    ['requests', 'cpu'],
    ['requests', 'memory'],
    ['limits', 'memory'],
  ]
    .filter(([group, resource]) => container.resources?.[group]?.[resource] === undefined)
    .map(([group, resource]) => `resources.${group}.${resource}`);
  if (missing.length > 0) problems.push(`must set ${missing.join(', ')}`);

  if (longRunning && !isInit) {
    for (const probe of ['readinessProbe', 'livenessProbe']) if (!container[probe]) problems.push(`needs a ${probe}`);
  }
  const image = imageProblem(container.image);
  if (image) problems.push(image);
  return problems;
}

/** The fewest replicas the workload runs: its HPA's or ScaledObject's minimum, else spec.replicas. */
function minReplicas(workload, docs) {
  const targets = (scaler) => scaler.spec?.scaleTargetRef?.kind === workload.kind && scaler.spec?.scaleTargetRef?.name === workload.metadata.name;
  const hpa = docs.find((doc) => doc.kind === 'HorizontalPodAutoscaler' && targets(doc));
  if (hpa) return { count: hpa.spec.minReplicas ?? 1, source: `HorizontalPodAutoscaler ${hpa.metadata.name} minReplicas` };
  const scaledObject = docs.find((doc) => doc.kind === 'ScaledObject' && targets(doc));
  if (scaledObject) return { count: scaledObject.spec.minReplicaCount ?? 0, source: `ScaledObject ${scaledObject.metadata.name} minReplicaCount` };
  return { count: workload.spec?.replicas ?? 1, source: 'spec.replicas' };
}

export function checkPolicies(docs) {
  const problems = [];
  for (const workload of docs.filter((doc) => POD_WORKLOADS.includes(doc.kind))) {
    const where = `${workload.kind} ${workload.metadata?.name}`;
    const template = podTemplateOf(workload);
    const pod = template?.spec ?? {};
    const longRunning = !RUN_TO_COMPLETION.includes(workload.kind);
    const containers = [...(pod.initContainers ?? []).map((c) => [c, true]), ...(pod.containers ?? []).map((c) => [c, false])];
    if (containers.length === 0) problems.push(`${where}: has no containers`);
    for (const [container, isInit] of containers) {
      const label = `${where}, ${isInit ? 'init container' : 'container'} ${container.name}`;
      for (const problem of containerProblems(container, pod.securityContext ?? {}, longRunning, isInit)) problems.push(`${label}: ${problem}`);
    }
    if (!longRunning) continue;
    const replicas = minReplicas(workload, docs);
    const covered = docs.some((doc) => doc.kind === 'PodDisruptionBudget' && subset(doc.spec?.selector?.matchLabels, template?.metadata?.labels));
    if (replicas.count > 1 && !covered) {
      problems.push(`${where}: runs ${replicas.count} replicas (${replicas.source}) but no PodDisruptionBudget selects its pods`);
    }
  }
  return problems;
}
