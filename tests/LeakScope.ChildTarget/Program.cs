using System.Diagnostics;
using System.Globalization;
using LeakScope.ChildTarget;

// Arguments, in order (each optional):
//   --leak <bytes>       leak one RawHeap block of that size (the only use of LeakScope.Allocator)
//   --child <args...>    then run 'dotnet <args...>' as a child, wait for it, print its exit code (takes the rest)
//   --wait               then print WAITING and wait for a line on standard input (attach tests)
//   --exit-code <n>      then exit with n
//   --abort              then die by SIGABRT
Console.WriteLine($"CHILDTARGET-START {Environment.ProcessId}");
int exitCode = 0;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--leak":
            Leaks.LeakOne(nuint.Parse(args[++i], CultureInfo.InvariantCulture));
            Console.WriteLine("CHILDTARGET-LEAKED");
            break;
        case "--child":
            using (Process child = Process.Start("dotnet", args[(i + 1)..])!)
            {
                child.WaitForExit();
                Console.WriteLine($"CHILDTARGET-CHILD-EXIT {child.ExitCode}");
            }

            i = args.Length;
            break;
        case "--wait":
            Console.WriteLine("CHILDTARGET-WAITING");
            Console.ReadLine();
            break;
        case "--exit-code":
            exitCode = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--abort":
            Console.Out.Flush();
            Environment.FailFast("ChildTarget --abort");
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 64;
    }
}

Console.WriteLine("CHILDTARGET-DONE");
return exitCode;
