"""`python -m gasmix`: the command line."""

from gasmix.cli import main

if __name__ == "__main__":
    main(prog_name="gasmix")
