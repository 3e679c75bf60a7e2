import os
import sys

from seep.cli import main
from seep.learn.allocator import keep_freed_memory

keep_freed_memory()  # every command here predicts or trains in bulk, or may (the job worker)
code = main()
if int(os.environ.get("WORLD_SIZE", "1")) > 1:
    # A process torchrun started leaves without the interpreter's teardown. Left to it, gloo's
    # threads were now and then freed while the interpreter was going (a rank aborting after
    # training had finished: SIGABRT, "terminate called without an active exception", 2 of 9
    # CI runs; upstream's account is pytorch/pytorch#179291). Tearing the process group down
    # first did not help, as the DDP wrapper still held it. Every file is written and closed
    # by now; only the standard streams need flushing.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
sys.exit(code)
