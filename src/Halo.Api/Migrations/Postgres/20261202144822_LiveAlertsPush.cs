using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LiveAlertsPush : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "job_claims",
                columns: table => new
                {
                    Job = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    FireTime = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Instance = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ClaimedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_claims", x => new { x.Job, x.FireTime });
                });

            migrationBuilder.CreateTable(
                name: "push_subscriptions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Endpoint = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    P256dh = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Auth = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: true),
                    DeviceHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastSentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_push_subscriptions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_push_subscriptions_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "alert_preferences",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: true),
                    PushSubscriptionId = table.Column<Guid>(type: "uuid", nullable: true),
                    RadiusM = table.Column<int>(type: "integer", nullable: false),
                    MinRiskLevel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Categories = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    QuietFrom = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: true),
                    QuietTo = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: true),
                    Language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    WatchedPlacesJson = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_preferences", x => x.Id);
                    table.ForeignKey(
                        name: "FK_alert_preferences_push_subscriptions_PushSubscriptionId",
                        column: x => x.PushSubscriptionId,
                        principalTable: "push_subscriptions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_alert_preferences_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "push_queue",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SubscriptionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Payload = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Topic = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Urgency = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    TtlSeconds = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    NotBefore = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_push_queue", x => x.Id);
                    table.ForeignKey(
                        name: "FK_push_queue_push_subscriptions_SubscriptionId",
                        column: x => x.SubscriptionId,
                        principalTable: "push_subscriptions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_alert_preferences_PushSubscriptionId",
                table: "alert_preferences",
                column: "PushSubscriptionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_alert_preferences_UserId",
                table: "alert_preferences",
                column: "UserId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_push_queue_NotBefore",
                table: "push_queue",
                column: "NotBefore");

            migrationBuilder.CreateIndex(
                name: "IX_push_queue_SubscriptionId",
                table: "push_queue",
                column: "SubscriptionId");

            migrationBuilder.CreateIndex(
                name: "IX_push_subscriptions_DeviceHash",
                table: "push_subscriptions",
                column: "DeviceHash");

            migrationBuilder.CreateIndex(
                name: "IX_push_subscriptions_Endpoint",
                table: "push_subscriptions",
                column: "Endpoint",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_push_subscriptions_UserId",
                table: "push_subscriptions",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_preferences");

            migrationBuilder.DropTable(
                name: "job_claims");

            migrationBuilder.DropTable(
                name: "push_queue");

            migrationBuilder.DropTable(
                name: "push_subscriptions");
        }
    }
}
