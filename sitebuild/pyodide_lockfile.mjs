// `pyodide lockfile ARGS` (pyodide-lock's command line) on Pyodide's own Python, in Node.js.
//
//   node sitebuild/pyodide_lockfile.mjs TOOL_DIR WORK_DIR add-wheels --input /work/... ...
//
// pyodide-lock needs Python >= 3.12; Pyodide from node_modules is a Python 3.14
// that every machine building the site has (see sitebuild/packages.py).
// TOOL_DIR holds pyodide-lock and its pure-Python dependencies; WORK_DIR is
// mounted at /work, where the arguments name the input and output files.
import { loadPyodide } from "../node_modules/pyodide/pyodide.mjs";

const [toolDir, workDir, ...args] = process.argv.slice(2);
if (!toolDir || !workDir || !args.length) {
  console.error("usage: node pyodide_lockfile.mjs TOOL_DIR WORK_DIR COMMAND [ARGS...]");
  process.exit(2);
}

const pyodide = await loadPyodide();
for (const [hostPath, mountPoint] of [[toolDir, "/tool"], [workDir, "/work"]]) {
  pyodide.FS.mkdirTree(mountPoint);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: hostPath }, mountPoint);
}
pyodide.globals.set("cli_args", pyodide.toPy(args));
try {
  pyodide.runPython(`
import sys
sys.path.insert(0, "/tool")
from pyodide_lock.cli import main
main(list(cli_args), prog_name="pyodide lockfile", standalone_mode=False)
`);
} catch (error) {
  console.error(String(error && error.message ? error.message : error));
  process.exit(1);
}
