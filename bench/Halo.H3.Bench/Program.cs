using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Halo.H3.Bench.CoreBenchmarks).Assembly).Run(args);
