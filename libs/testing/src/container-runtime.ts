/** True when a Docker (or compatible) engine answers, so Testcontainers can start services. */
let runtime: Promise<boolean> | undefined;

export function containerRuntimeAvailable(): Promise<boolean> {
  runtime ??= import('testcontainers')
    .then(({ getContainerRuntimeClient }) => getContainerRuntimeClient())
    .then(
      () => true,
      () => false,
    );
  return runtime;
}
