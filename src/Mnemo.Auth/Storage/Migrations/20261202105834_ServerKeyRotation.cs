using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mnemo.Auth.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ServerKeyRotation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "active_from",
                table: "oauth_server_keys",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            // Keys made before rotation existed (mnemo-sig-1, mnemo-enc-1) have signed since they were created:
            // they stay the active keys, and the schedule replaces them once their lifetime, counted from then, ends.
            migrationBuilder.Sql("UPDATE oauth_server_keys SET active_from = created_at;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "active_from",
                table: "oauth_server_keys");
        }
    }
}
