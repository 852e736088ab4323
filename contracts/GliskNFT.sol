// SPDX-License-Identifier: MIT
pragma solidity 0.8.20;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Enumerable} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Enumerable.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title GLISK Season 0 (twin)
/// @notice Our twin of the GLISK Season 0 contract deployed on Base, written from its public interface
/// and behaviour. The ABI (functions, events, errors) equals the deployed one, recorded in
/// contracts/deployed/GliskNFT.abi.json and compared by test/GliskNFT.integration.test.ts; so does
/// the toolchain (solc 0.8.20, optimizer 200 runs, OpenZeppelin 5.0.0), which keeps gas figures alike.
///
/// Blind box: every token is attributed to a prompt author (any address, the zero address included)
/// and shows a shared placeholder until an admin or keeper reveals its own URI, fixed from then on.
/// Half of the price of each mint is credited to the author, the rest and any overpayment go to the
/// treasury. Ending the season stops minting; 14 days later unclaimed author credit can be swept.
contract GliskNFT is ERC721Enumerable, AccessControl, ReentrancyGuard, ERC2981 {
    using SafeERC20 for IERC20;

    error InvalidQuantity();
    error ExceedsMaxBatchSize();
    error InsufficientPayment();
    error MintingDisabled();
    error SeasonAlreadyEnded();
    error SweepProtectionActive();
    error SeasonNotEnded();
    error NoBalance();
    error AlreadyRevealed(uint256 tokenId);
    error LengthMismatch();
    error TransferFailed();

    event BatchMinted(
        address indexed minter,
        address indexed promptAuthor,
        uint256 indexed startTokenId,
        uint256 quantity,
        uint256 totalPaid
    );
    event TokensRevealed(uint256[] tokenIds);
    event AuthorClaimed(address indexed author, uint256 amount);
    event TreasuryWithdrawn(address indexed recipient, uint256 amount);
    event UnclaimedRewardsSwept(uint256 totalAmount, uint256 authorsCount);
    event MintPriceUpdated(uint256 oldPrice, uint256 newPrice);
    event PlaceholderURIUpdated(string newURI);
    event SeasonEnded(uint256 timestamp);
    event RoyaltyUpdated(address receiver, uint96 feeNumerator);
    event DirectPaymentReceived(address indexed sender, uint256 amount);
    event ERC20Recovered(address indexed token, address indexed to, uint256 amount);

    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");
    uint256 public constant SWEEP_PROTECTION_PERIOD = 14 days;
    uint256 public constant MAX_BATCH_SIZE = 50;

    uint256 private _nextId;
    uint256 public mintPrice;
    uint256 public treasuryBalance;
    string private _placeholder;
    bool public seasonEnded;
    uint256 public seasonEndTime;

    // Unnamed keys and values: the deployed getters take and return unnamed parameters.
    mapping(uint256 => address) public tokenPromptAuthor;
    mapping(uint256 => string) private _uris;
    mapping(uint256 => bool) private _revealed;
    mapping(address => uint256) public authorClaimable;

    /// @notice The deployer becomes admin and receives a 2.5 % default royalty; ids start at 1.
    constructor(string memory name_, string memory symbol_, string memory placeholderURI_, uint256 initialMintPrice_)
        ERC721(name_, symbol_)
    {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        _placeholder = placeholderURI_;
        mintPrice = initialMintPrice_;
        _nextId = 1;
        _setDefaultRoyalty(msg.sender, 250);
    }

    /// @notice ETH sent without calldata goes to the treasury.
    receive() external payable {
        treasuryBalance += msg.value;
        emit DirectPaymentReceived(msg.sender, msg.value);
    }

    /// @notice The id the next mint starts at (1 before the first mint): every id below it exists.
    function nextTokenId() external view returns (uint256) {
        return _nextId;
    }

    /// @notice Mints `quantity` tokens to the caller, attributed to `promptAuthor` (not checked: the zero
    /// address is accepted, and its credit can only be swept). Checks run in the deployed order:
    /// quantity, payment, then season.
    function mint(address promptAuthor, uint256 quantity) external payable nonReentrant {
        if (quantity == 0) revert InvalidQuantity();
        if (quantity > MAX_BATCH_SIZE) revert ExceedsMaxBatchSize();
        uint256 price = mintPrice * quantity;
        if (msg.value < price) revert InsufficientPayment();
        if (seasonEnded) revert MintingDisabled();

        uint256 authorShare = price / 2;
        // The treasury takes the odd wei of the split and the whole overpayment.
        authorClaimable[promptAuthor] += authorShare;
        treasuryBalance += msg.value - authorShare;

        uint256 first = _nextId;
        for (uint256 i = 0; i < quantity; i++) {
            // Counted before each _safeMint, as deployed: a receiver's callback sees the id as minted.
            uint256 id = _nextId++;
            _safeMint(msg.sender, id);
            tokenPromptAuthor[id] = promptAuthor;
        }
        emit BatchMinted(msg.sender, promptAuthor, first, quantity, msg.value);
    }

    /// @notice Pays the caller the author credit of its mints; nothing happens when there is none.
    function claimAuthorRewards() external nonReentrant {
        uint256 amount = authorClaimable[msg.sender];
        if (amount == 0) return;
        authorClaimable[msg.sender] = 0;
        _pay(msg.sender, amount);
        emit AuthorClaimed(msg.sender, amount);
    }

    /// @notice The revealed URI of a token, or the placeholder before its reveal. Reverts for an id never minted.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return _revealed[tokenId] ? _uris[tokenId] : _placeholder;
    }

    function setPlaceholderURI(string memory newURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _placeholder = newURI;
        emit PlaceholderURIUpdated(newURI);
    }

    /// @notice Fixes the URI of each token for good. Admin or keeper. Existence is not checked, there is no
    /// batch cap, and the whole call reverts on the first id already revealed (a repeated id included).
    function revealTokens(uint256[] calldata tokenIds, string[] calldata uris) external {
        _requireAdminOrKeeper();
        if (tokenIds.length != uris.length) revert LengthMismatch();
        for (uint256 i = 0; i < tokenIds.length; i++) {
            uint256 id = tokenIds[i];
            if (_revealed[id]) revert AlreadyRevealed(id);
            _uris[id] = uris[i];
            _revealed[id] = true;
        }
        emit TokensRevealed(tokenIds);
    }

    /// @notice False for an id never minted.
    function isRevealed(uint256 tokenId) external view returns (bool) {
        return _revealed[tokenId];
    }

    /// @notice Sends the whole treasury to the calling admin (author credit stays in the contract).
    function withdrawTreasury() external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        uint256 amount = treasuryBalance;
        if (amount == 0) revert NoBalance();
        treasuryBalance = 0;
        _pay(msg.sender, amount);
        emit TreasuryWithdrawn(msg.sender, amount);
    }

    /// @notice Admin or keeper; zero makes minting free.
    function setMintPrice(uint256 newPrice) external {
        _requireAdminOrKeeper();
        emit MintPriceUpdated(mintPrice, newPrice);
        mintPrice = newPrice;
    }

    /// @notice Stops minting for good and starts the sweep protection period.
    function endSeason() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (seasonEnded) revert SeasonAlreadyEnded();
        seasonEnded = true;
        seasonEndTime = block.timestamp;
        emit SeasonEnded(block.timestamp);
    }

    /// @notice Moves the unclaimed credit of `authors` to the treasury, from 14 days after the season ended.
    function sweepUnclaimedRewards(address[] calldata authors) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!seasonEnded) revert SeasonNotEnded();
        if (block.timestamp < seasonEndTime + SWEEP_PROTECTION_PERIOD) revert SweepProtectionActive();
        uint256 total = 0;
        uint256 count = 0;
        for (uint256 i = 0; i < authors.length; i++) {
            uint256 amount = authorClaimable[authors[i]];
            if (amount == 0) continue;
            authorClaimable[authors[i]] = 0;
            total += amount;
            count++;
        }
        if (total > 0) treasuryBalance += total;
        emit UnclaimedRewardsSwept(total, count);
    }

    /// @notice ERC-2981 royalty for every token, in basis points.
    function setDefaultRoyalty(address receiver, uint96 feeNumerator) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setDefaultRoyalty(receiver, feeNumerator);
        emit RoyaltyUpdated(receiver, feeNumerator);
    }

    /// @notice Sends ERC-20 tokens held by this contract to the calling admin.
    function recoverERC20(address tokenAddress, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        IERC20(tokenAddress).safeTransfer(msg.sender, amount);
        emit ERC20Recovered(tokenAddress, msg.sender, amount);
    }

    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721Enumerable, ERC2981, AccessControl)
        returns (bool)
    {
        return super.supportsInterface(interfaceId);
    }

    function _requireAdminOrKeeper() private view {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender) && !hasRole(KEEPER_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, KEEPER_ROLE);
        }
    }

    function _pay(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
