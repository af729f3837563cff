"""`python -m generator` does what the `credit-portal` console script does."""

from generator.cli import main

if __name__ == "__main__":
    main()
