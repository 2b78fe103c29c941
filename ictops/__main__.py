from ictops.cli.main import main

main()
