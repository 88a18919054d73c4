"""Run a Go example through the real Pulumi engine, without the pulumi-language-go host.

    python tests/harness/gorun.py <example_dir> <stack> <op> [same flags as pyrun.py]

Same contract and environment defaults as pyrun.py. The Automation API serves the
language-host protocol from this process (as for a Python inline program), but its Run is
replaced by what pulumi-language-go's Run does: `go build` the example (its own go.mod and
go.sum; GOMODCACHE/GOCACHE as set by the caller), execute the binary in the example
directory with the RunRequest passed as PULUMI_* environment variables, and map exit
status 32 ("error already reported to the engine") to a bail. The program's pulumi.Run
then connects to the engine's resource monitor as usual.

Relies on pulumi.automation._stack.LanguageServer (a private name of the pinned pulumi
3.259.0 package), which is the only hook for replacing the in-process server.
"""

import json
import os
import subprocess
import sys
import tempfile

from pulumi.automation import _stack
from pulumi.automation._server import LanguageServer
from pulumi.runtime.proto import language_pb2

import pyrun

EXIT_STATUS_LOGGED_ERROR = 32  # sdk/go/common/constant: the program already reported its error


class GoProgramServer(LanguageServer):
    """LanguageServer whose `program` is the example directory of a Go program."""

    def Run(self, request, context):
        example_dir = self.program.example_dir
        binary = os.path.join(tempfile.mkdtemp(prefix="gorun-"), "program")
        build = subprocess.run(["go", "build", "-o", binary, "."], cwd=example_dir,
                               stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
        if build.returncode != 0:
            return language_pb2.RunResponse(error=f"error in compiling Go:\n{build.stderr}")
        env = dict(os.environ)
        values = {
            "PULUMI_ORGANIZATION": request.organization,
            "PULUMI_PROJECT": request.project,
            "PULUMI_ROOT_DIRECTORY": request.info.root_directory,
            "PULUMI_STACK": request.stack,
            "PULUMI_CONFIG": json.dumps(dict(request.config)),
            "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(request.configSecretKeys)),
            "PULUMI_DRY_RUN": "true" if request.dryRun else "false",
            "PULUMI_PARALLEL": str(request.parallel),
            "PULUMI_MONITOR": request.monitor_address,
            # As the Python inline server does: in --client mode the engine address is args[0].
            "PULUMI_ENGINE": request.args[0] if request.args else "",
        }
        env.update({k: v for k, v in values.items() if v})
        try:
            status = subprocess.run([binary], cwd=example_dir, env=env,
                                    stdout=sys.stderr, stderr=sys.stderr).returncode
        finally:
            os.remove(binary)
            os.rmdir(os.path.dirname(binary))
        if status == 0:
            return language_pb2.RunResponse()
        if status == EXIT_STATUS_LOGGED_ERROR:
            return language_pb2.RunResponse(bail=True)
        return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {status}")


def make_program(example_dir):
    def program():  # never called: GoProgramServer.Run runs the Go binary instead
        raise RuntimeError("gorun: the Go program runs as a subprocess")

    program.example_dir = example_dir
    return program


if __name__ == "__main__":
    _stack.LanguageServer = GoProgramServer
    pyrun.main(make_program=make_program, name="gorun")
