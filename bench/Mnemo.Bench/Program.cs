using Mnemo.Bench.Locomo;

// Benchmarks print numbers; nothing here asserts. One command each:
//   dotnet run -c Release --project bench/Mnemo.Bench -- locomo [--data PATH] [--variants all|shipped]
//   dotnet run -c Release --project bench/Mnemo.Bench -- latency [...]
return args.FirstOrDefault() switch
{
    "locomo" => await LocomoBenchmark.RunAsync(args[1..]),
    "ingest-profile" => await IngestProfile.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Mnemo.Bench locomo [--data ../shared/data/locomo/locomo10.json] [--variants shipped|all]");
    return 2;
}
