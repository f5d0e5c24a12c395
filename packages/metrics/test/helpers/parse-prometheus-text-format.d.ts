// The package ships no types; the tests read its output through ParsedFamily (fixtures.ts).
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
