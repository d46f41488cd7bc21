from bdp.cli import main

main()
