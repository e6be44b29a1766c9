/// Options accepted before the subcommand, as `git -C` and `kubectl --context` are.
enum GlobalOptions {
    /// `arguments` with a `--store PATH` (or `--store=PATH`) given before the subcommand moved just after it,
    /// where the subcommand's own `--store` reads it (a `--store` after the subcommand still wins, being
    /// later). Anything else is left as it is for the parser to judge.
    static func moved(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--store", index + 1 < arguments.count {
                leading += ["--store", arguments[index + 1]]
                index += 2
            } else if argument.hasPrefix("--store=") {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, !arguments[index].hasPrefix("-") else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
