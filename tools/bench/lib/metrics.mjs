// Reads an app's Prometheus endpoint: the sum of one metric over all its label sets.
export async function sumOfMetric(app, name) {
  const text = await (await fetch(`http://127.0.0.1:${app.ports.metrics}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.split(' ').pop());
  }
  return total;
}
