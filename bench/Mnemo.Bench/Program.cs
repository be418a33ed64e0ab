using Mnemo.Bench.Floor;
using Mnemo.Bench.Latency;
using Mnemo.Bench.Locomo;
using Mnemo.Bench.Scale;

// Benchmarks print numbers; nothing here asserts. One command each:
//   dotnet run -c Release --project bench/Mnemo.Bench -- locomo [--data PATH] [--variants all|shipped] [--db KEEP.db] [--dump RANKINGS.tsv]
//   dotnet build -c Release src/Mnemo.Server && dotnet run -c Release --project bench/Mnemo.Bench -- latency [--sizes 1000,10000,100000] [--queries 300] [--adds 100]
//   ... -- latency-ab --server-a OTHER/mnemo.dll [--sizes 1000,10000] [--rounds 10] [--calls 60]  (two builds, interleaved)
//   ... -- scale [--postgres CS] [--memories 2000] [--duration 10] [--connections 16]  (SQLite vs PostgreSQL, 1 vs 3 instances behind nginx)
//   ... -- floor [--duration 10] [--warmup 3] [--connections 1,16] [--rounds 1]  (Mnemo's per-call floor beside the C# and TypeScript SDKs' echo servers, as ratios)
return args.FirstOrDefault() switch
{
    "locomo" => await LocomoBenchmark.RunAsync(args[1..]),
    "latency" => await LatencyBenchmark.RunAsync(args[1..]),
    "limiter" => await LimiterBenchmark.RunAsync(args[1..]),
    "ingest-profile" => await IngestProfile.RunAsync(args[1..]),
    "search-profile" => await SearchProfile.RunAsync(args[1..]),
    "keyword-profile" => await KeywordProfile.RunAsync(args[1..]),
    "latency-ab" => await AbLatencyBenchmark.RunAsync(args[1..]),
    "scale" => await ScaleBenchmark.RunAsync(args[1..]),
    "floor" => await FloorBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Mnemo.Bench locomo [--data ../shared/data/locomo/locomo10.json] [--variants shipped|all] [--db KEEP.db]");
    Console.Error.WriteLine("       Mnemo.Bench limiter [--rounds 10] [--calls 200] [--server PATH/mnemo.dll]");
    Console.Error.WriteLine("       Mnemo.Bench latency [--sizes 1000,10000,100000] [--queries 300] [--adds 100] [--other-user 20000] [--server PATH/mnemo.dll] [--server-args \"--Key=Value ...\"]");
    Console.Error.WriteLine("       Mnemo.Bench floor [--duration 10] [--warmup 3] [--connections 1,16] [--rounds 1] [--search-memories 10000] [--server PATH/mnemo.dll] [--server-args \"--Key=Value ...\"]");
    Console.Error.WriteLine("       Mnemo.Bench scale [--postgres ADMIN_CS] [--memories 2000] [--calls 300] [--duration 10] [--connections 16] [--threads 2] [--rounds 2] [--server PATH/mnemo.dll] [--server-args \"--Key=Value ...\"]");
    return 2;
}
