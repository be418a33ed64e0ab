using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Mnemo.Memory.Storage;

/// <summary>
/// The memory module's own database context: memories, tags, history, access log. It keeps its own
/// migrations history table (<see cref="MigrationsHistoryTable"/>) so the Auth module's schema can change independently.
/// This model is the portable one, with SQLite's migrations; PostgreSQL adds its own details and migrations in
/// <see cref="Postgres.PostgresMemoryDbContext"/>, and everything else works on this type.
/// </summary>
public class MemoryDbContext : DbContext
{
    public const string MigrationsHistoryTable = "__EFMigrationsHistory_Memory";

    public MemoryDbContext(DbContextOptions<MemoryDbContext> options)
        : base(options)
    {
    }

    /// <summary>For a provider's subclass, which carries its own migrations.</summary>
    protected MemoryDbContext(DbContextOptions options)
        : base(options)
    {
    }

    internal DbSet<MemoryEntity> Memories => Set<MemoryEntity>();
    internal DbSet<MemoryTagEntity> Tags => Set<MemoryTagEntity>();
    internal DbSet<MemoryHistoryEntity> History => Set<MemoryHistoryEntity>();
    internal DbSet<MemoryAccessLogEntity> AccessLog => Set<MemoryAccessLogEntity>();
    internal DbSet<MemoryEmbeddingEntity> Embeddings => Set<MemoryEmbeddingEntity>();
    internal DbSet<MemoryChangeEntity> Changes => Set<MemoryChangeEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MemoryEntity>(e =>
        {
            e.ToTable("memories");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).HasMaxLength(36);
            e.Property(m => m.UserId).HasMaxLength(200);
            e.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
            e.Property(m => m.App).HasMaxLength(200);
            e.Property(m => m.BatchId).HasMaxLength(36);
            // Tenancy first: every query filters by user, then orders by creation time.
            e.HasIndex(m => new { m.UserId, m.CreatedAt });
            e.HasIndex(m => new { m.UserId, m.OccurredAt });
            e.HasIndex(m => m.BatchId);
            e.HasMany(m => m.Tags).WithOne().HasForeignKey(t => t.MemoryId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MemoryTagEntity>(e =>
        {
            e.ToTable("memory_tags");
            e.HasKey(t => new { t.MemoryId, t.Tag });
            e.Property(t => t.Tag).HasMaxLength(64);
            e.HasIndex(t => t.Tag);
        });

        modelBuilder.Entity<MemoryHistoryEntity>(e =>
        {
            e.ToTable("memory_history");
            e.HasKey(h => h.Id);
            e.Property(h => h.OldState).HasConversion<string>().HasMaxLength(16);
            e.Property(h => h.NewState).HasConversion<string>().HasMaxLength(16);
            e.Property(h => h.App).HasMaxLength(200);
            e.HasIndex(h => new { h.MemoryId, h.At });
            e.HasOne<MemoryEntity>().WithMany().HasForeignKey(h => h.MemoryId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MemoryAccessLogEntity>(e =>
        {
            e.ToTable("memory_access_log");
            e.HasKey(a => a.Id);
            e.Property(a => a.UserId).HasMaxLength(200);
            e.Property(a => a.App).HasMaxLength(200);
            e.Property(a => a.Action).HasMaxLength(32);
            e.HasIndex(a => new { a.UserId, a.At });
        });

        modelBuilder.Entity<MemoryEmbeddingEntity>(e =>
        {
            e.ToTable("memory_embeddings");
            e.HasKey(v => v.Seq);
            e.Property(v => v.Seq).ValueGeneratedOnAdd();
            e.Property(v => v.UserId).HasMaxLength(200);
            e.Property(v => v.Model).HasMaxLength(200);
            e.HasIndex(v => v.MemoryId).IsUnique();
            e.HasIndex(v => new { v.UserId, v.Seq });
            e.HasOne<MemoryEntity>().WithMany().HasForeignKey(v => v.MemoryId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MemoryChangeEntity>(e =>
        {
            e.ToTable("memory_changes");
            e.HasKey(c => c.Seq);
            e.Property(c => c.Seq).ValueGeneratedOnAdd();
            e.Property(c => c.UserId).HasMaxLength(200);
            e.Property(c => c.MemoryId).HasMaxLength(36);
            e.HasIndex(c => new { c.UserId, c.Seq });
        });

        // snake_case columns everywhere, so hand-written SQL (search index) and PostgreSQL read naturally.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
    }

    private static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }
}
