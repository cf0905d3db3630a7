"""Turns the JSON lines of relu_compare_relu.py into the comparison table
(dataset, program, tool, time, objective, relative gap to the Clarabel optimum, cone
violation) as CSV and markdown. usage: python relu_table.py IN.jsonl... --out PREFIX"""
import json, sys

args = sys.argv[1:]
out = args[args.index("--out") + 1]
files = [a for a in args if a != "--out" and a != out]
rows, ref = [], {}
for f in files:
    for line in open(f):
        r = json.loads(line)
        if "error" in r:
            continue
        key = (r["data"], str(r["P"]))
        tool = r["tool"]
        if tool == "scnn-al":
            t, obj, cv = r["scnn_time"], r["scnn_objective"], r["scnn_cone"]
        elif tool.startswith("opal"):
            t, obj, cv = r["time"], r["objective"], r["cone_violation"]
        else:
            t, obj, cv = r["time"], r["objective"], r["cone_violation"]
            if tool == "cvxpy+clarabel":
                ref[key] = obj
        rows.append((key, tool, t, obj, cv))
# Repeated runs of one (data, tool): keep the one with the median time.
groups = {}
for row in rows:
    groups.setdefault((row[0], row[1]), []).append(row)
rows = []
for g in groups.values():
    g.sort(key=lambda r: r[2])
    rows.append(g[len(g) // 2])
with open(out + ".csv", "w") as c, open(out + ".md", "w") as m:
    c.write("dataset,patterns,program,tool,time_s,objective,rel_to_clarabel,cone_violation\n")
    m.write("| dataset | P | program | tool | time (s) | objective | rel. to Clarabel | cone violation |\n")
    m.write("|---|---|---|---|---|---|---|---|\n")
    for (key, tool, t, obj, cv) in rows:
        rel = (obj - ref[key]) / ref[key] if key in ref else float("nan")
        c.write(f"{key[0]},{key[1]},relu,{tool},{t:.3f},{obj:.10g},{rel:.2e},{cv:.1e}\n")
        m.write(f"| {key[0]} | {key[1]} | relu | {tool} | {t:.2f} | {obj:.10g} | {rel:.1e} | {cv:.1e} |\n")
print(open(out + ".md").read())
