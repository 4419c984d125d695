// Reads Lighthouse JSON reports named <page>.<run>.json and prints, per page, the median score
// of each category over its runs, with what kept any below 100 in the median run.
const fs = require("fs");
const path = require("path");
const dir = process.argv[2];
const pages = process.argv.slice(3);
const cats = ["performance", "accessibility", "best-practices", "seo"];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log("| page | performance | accessibility | best practices | SEO | runs |");
console.log("|---|---:|---:|---:|---:|---:|");
const notes = [];
pages.forEach((page, i) => {
  const runs = fs.readdirSync(dir).filter((f) => f.startsWith(`${i}.`) && f.endsWith(".json"))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
  const scores = cats.map((c) => median(runs.map((r) => Math.round(r.categories[c].score * 100))));
  console.log(`| \`${page}\` | ${scores.join(" | ")} | ${runs.length} |`);
  for (const r of runs.slice(0, 1)) {
    for (const c of cats) for (const ref of r.categories[c].auditRefs) {
      const a = r.audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 1) notes.push(`- \`${page}\` ${c}: ${a.id} ${a.displayValue || a.score}`);
    }
  }
});
if (notes.length) console.log("\nBelow full marks in a run:\n" + [...new Set(notes)].join("\n"));
