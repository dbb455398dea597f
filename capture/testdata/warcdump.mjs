// Reads a WARC file with the warcio package (an independent reader) and
// prints one JSON line per record: type, target, WARC headers checked by the
// tests, HTTP status, payload length and SHA-256, and whether the payload
// digest written in the record matches the payload read.
// Usage: node warcdump.mjs NODE_MODULES FILE.warc.gz
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modules, file] = process.argv.slice(2);
const { WARCParser } = await import(pathToFileURL(path.join(modules, "warcio", "dist", "index.js")).href);

const parser = new WARCParser(createReadStream(file));
for await (const record of parser) {
  const payload = await record.readFully(false);
  const sha = createHash("sha256").update(payload).digest("hex");
  const h = (name) => record.warcHeader(name) || "";
  const digest = h("WARC-Payload-Digest") || h("WARC-Block-Digest");
  const out = {
    offset: parser.offset,
    type: record.warcType,
    version: record.warcHeaders.protocol,
    uri: record.warcTargetURI || "",
    date: h("WARC-Date"),
    ip: h("WARC-IP-Address"),
    id: h("WARC-Record-ID"),
    concurrent: h("WARC-Concurrent-To"),
    contentType: h("Content-Type"),
    status: record.httpHeaders ? record.httpHeaders.statusCode : null,
    method: record.httpHeaders && record.warcType === "request" ? record.httpHeaders.method : null,
    httpContentType: record.httpHeaders ? record.httpHeaders.headers.get("Content-Type") : null,
    length: payload.length,
    sha256: sha,
    digestOK: digest === "sha256:" + sha,
  };
  if (record.warcType === "warcinfo" || (record.httpHeaders && /^text\/html/.test(out.httpContentType || ""))) {
    out.text = new TextDecoder().decode(payload);
  }
  console.log(JSON.stringify(out));
}
