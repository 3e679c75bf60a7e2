import sys

from seep.cli import main
from seep.learn.allocator import keep_freed_memory

keep_freed_memory()  # every command here predicts or trains in bulk, or may (the job worker)
sys.exit(main())
