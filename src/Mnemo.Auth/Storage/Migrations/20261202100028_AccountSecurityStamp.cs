using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Mnemo.Auth.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AccountSecurityStamp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "security_stamp",
                table: "users",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            // Every existing account gets its own random stamp (128 bits from SQLite's CSPRNG), never a
            // shared or empty one. Sessions from before this migration carry no stamp and end once: their
            // owners sign in again.
            migrationBuilder.Sql("UPDATE users SET security_stamp = lower(hex(randomblob(16))) WHERE security_stamp = '';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "security_stamp",
                table: "users");
        }
    }
}
