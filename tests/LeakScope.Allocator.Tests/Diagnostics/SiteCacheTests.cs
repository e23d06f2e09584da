using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// The lock-free site table: every (file, line, member) has one id whatever its line number, whichever string instances
/// name it and however many threads see it first at once.
/// </summary>
public class SiteCacheTests
{
    private const string File = "/src/SiteCacheTests/Colliding.cs";

    [Fact]
    public void Sites_whose_lines_differ_by_256_keep_their_own_ids()
    {
        string member = nameof(Sites_whose_lines_differ_by_256_keep_their_own_ids);
        int a = SiteCache.Find(File, 1000, member);
        int b = SiteCache.Find(File, 1256, member);
        int c = SiteCache.Find(File, 1512, member);

        Assert.Equal(3, new[] { a, b, c }.Distinct().Count());
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(a, SiteCache.Find(File, 1000, member));
            Assert.Equal(b, SiteCache.Find(File, 1256, member));
            Assert.Equal(c, SiteCache.Find(File, 1512, member));
        }

        Assert.Equal(new SiteInfo(File, 1256, member), SiteRegistry.Get(b));
    }

    [Fact]
    public void Equal_strings_from_other_instances_name_the_same_site()
    {
        string member = nameof(Equal_strings_from_other_instances_name_the_same_site);
        int id = SiteCache.Find(File, 7, member);

        string otherFile = new(File.AsSpan());
        string otherMember = new(member.AsSpan());
        Assert.False(ReferenceEquals(File, otherFile));
        Assert.Equal(id, SiteCache.Find(otherFile, 7, otherMember));
    }

    [Fact]
    public void Thousands_of_sites_grow_the_table_and_each_keeps_its_id()
    {
        string file = "/src/SiteCacheTests/Many.cs";
        string member = nameof(Thousands_of_sites_grow_the_table_and_each_keeps_its_id);
        var ids = new int[5000];
        for (int line = 0; line < ids.Length; line++)
        {
            ids[line] = SiteCache.Find(file, line, member);
        }

        Assert.Equal(ids.Length, ids.Distinct().Count());
        for (int line = 0; line < ids.Length; line++)
        {
            Assert.Equal(ids[line], SiteCache.Find(file, line, member));
            Assert.Equal(new SiteInfo(file, line, member), SiteRegistry.Get(ids[line]));
        }
    }

    [Fact]
    public void Threads_that_see_new_sites_at_once_agree_on_their_ids()
    {
        string file = "/src/SiteCacheTests/Racing.cs";
        string member = nameof(Threads_that_see_new_sites_at_once_agree_on_their_ids);
        const int Threads = 4;
        const int Sites = 2000;
        var seen = new int[Threads][];
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var ids = new int[Sites];
            start.SignalAndWait();
            for (int line = 0; line < Sites; line++)
            {
                ids[line] = SiteCache.Find(file, line * 256, member);
            }

            seen[t] = ids;
        })).ToArray();
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        foreach (Thread worker in workers)
        {
            Assert.True(worker.Join(TimeSpan.FromMinutes(1)), "a worker did not finish");
        }

        for (int t = 1; t < Threads; t++)
        {
            Assert.Equal(seen[0], seen[t]);
        }

        Assert.Equal(Sites, seen[0].Distinct().Count());
    }

    [Fact]
    public void Null_caller_info_is_the_empty_file_and_member()
    {
        Assert.Equal(SiteCache.Find(string.Empty, 3, string.Empty), SiteCache.Find(null!, 3, null!));
    }
}
